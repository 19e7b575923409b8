import { TandemError } from '../errors.js';
import type { ModelDefinition } from '../features/model.js';
import { lowerIsBetter, type PerformanceMetric } from '../features/model-monitoring.js';
import type { Project } from '../features/project.js';
import { modelSources } from '../features/model-features.js';
import type { Table } from '../io/table.js';
import { binaryReport } from '../models/metrics/binary-report.js';
import { regressionReport } from '../models/metrics/regression-report.js';
import type { Task } from '../models/model.js';
import type { Lineage, ModelRegistry } from '../registry/registry.js';
import { LoadedModel } from './bundle.js';
import { registerTrained, trainModel, type TrainPhase } from './train.js';
import { rowAt, type TrainingSet } from './training-set.js';

export interface RetrainOptions {
  readonly registry: ModelRegistry;
  /** Events by source name: what the challenger trains and both models are judged on. */
  readonly events: Readonly<Record<string, Table>>;
  readonly inputs?: Lineage['inputs'];
  readonly configPath?: string;
  /** Why this retraining ran, for the audit log: 'schedule', 'manual', 'alert data-drift'. */
  readonly reason: string;
  readonly onProgress?: (phase: TrainPhase, done: number, total: number) => void;
}

/** The champion/challenger decision, as recorded in the audit log. */
export interface GateDecision {
  readonly model: string;
  readonly challenger: number;
  /** The champion judged against; null when the model had none (the challenger is promoted). */
  readonly champion: number | null;
  readonly metric: PerformanceMetric;
  readonly margin: number;
  /** Both on the same most recent holdout rows. */
  readonly challengerScore: number;
  readonly championScore: number | null;
  readonly holdoutRows: number;
  readonly promoted: boolean;
  /** The alias the challenger took: 'champion', 'challenger' (serving in shadow) or none. */
  readonly alias: string | null;
  readonly why: string;
  readonly reason: string;
}

/** The gate's metric when the model's retrain options name none. */
export function defaultGateMetric(task: Task): PerformanceMetric {
  return task === 'regression' ? 'rmse' : 'rocAuc';
}

/**
 * Retrains a model and lets it replace the champion only if it is better where it matters
 * now: both are scored on the most recent `retrain.gate.holdoutShare` of the labelled rows
 * (the challenger never trained on them), and the challenger is promoted when it beats the
 * champion's score by `margin`. A loser is kept as a challenger (in shadow when
 * `shadowLosers`). Every decision is recorded in the audit log, with both scores.
 */
export async function retrainModel(project: Project, name: string, options: RetrainOptions): Promise<GateDecision> {
  const definition = project.models.get(name);
  if (definition === undefined) {
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${name}' (the project defines: ${[...project.models.keys()].join(', ') || 'none'})`);
  }
  const gate = definition.retrain.gate;
  const metric = gate.metric ?? defaultGateMetric(definition.task);
  // The challenger is judged on the latest rows, whatever split the project file uses for `tandem train`.
  const judged: ModelDefinition = { ...definition, split: holdoutSplit(project, definition, options.events) };
  const judgedProject: Project = { ...project, models: new Map(project.models).set(name, judged) };
  const result = await trainModel(judgedProject, name, {
    events: options.events,
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const set = result.set;
  const labels = set.label.subarray(set.testStart);
  const challengerScore = metricOf(metric, result.testScores, labels);
  const registry = options.registry;
  const champion = await registry.get(name, 'champion');
  let championScore: number | null = null;
  let why: string;
  let promoted: boolean;
  if (champion === undefined) {
    promoted = true;
    why = 'the model had no champion';
  } else {
    const loaded = LoadedModel.fromText(await registry.artifact(name, champion.version));
    const scores = scoreRows(loaded, set);
    championScore = scores === undefined ? null : metricOf(metric, scores, labels);
    if (championScore === null || !Number.isFinite(championScore)) {
      promoted = false;
      why = scores === undefined ? `champion ${champion.version} reads features the retrained model does not; promote by hand` : `champion ${champion.version}'s ${metric} is undefined on the holdout`;
    } else if (!Number.isFinite(challengerScore)) {
      promoted = false;
      why = `the challenger's ${metric} is undefined on the holdout`;
    } else {
      promoted = beats(metric, challengerScore, championScore, gate.margin);
      const sign = lowerIsBetter(metric) ? 'lower' : 'higher';
      why = `${metric} ${challengerScore.toFixed(4)} vs champion ${championScore.toFixed(4)}: ${promoted ? 'better' : 'not better'} by the margin ${gate.margin} (${sign} is better)`;
    }
  }
  const alias = promoted ? 'champion' : definition.retrain.shadowLosers ? (definition.serving.shadow?.alias ?? 'challenger') : null;
  const saved = await registerTrained(registry, result, alias === null ? [] : [alias]);
  const decision: GateDecision = {
    model: name,
    challenger: saved.version,
    champion: champion?.version ?? null,
    metric,
    margin: gate.margin,
    challengerScore,
    championScore,
    holdoutRows: labels.length,
    promoted,
    alias,
    why,
    reason: options.reason,
  };
  await registry.record('gate', name, { ...decision, challengerScore: finiteOrNull(challengerScore) });
  if (promoted) await registry.record('promote', name, { from: champion?.version ?? null, to: saved.version, reason: options.reason });
  return decision;
}

/** The latest `gate.holdout` period of the spine events, or the latest `gate.holdoutShare` of rows. */
function holdoutSplit(project: Project, definition: ModelDefinition, events: Readonly<Record<string, Table>>): ModelDefinition['split'] {
  const { holdoutMs, holdoutShare } = definition.retrain.gate;
  if (holdoutMs === undefined) return { testShare: holdoutShare };
  const spine = modelSources(project, definition)[0]!;
  const times = events[spine.name]?.columns.get(spine.timestamp);
  let newest = -Infinity;
  if (times !== undefined && (times.type === 'timestamp' || times.type === 'number')) for (const t of times.values) if (t > newest) newest = t;
  return Number.isFinite(newest) ? { testFrom: newest - holdoutMs + 1 } : { testShare: holdoutShare };
}

/** Whether `candidate` improves on `incumbent` by more than nothing and at least `margin`. */
export function beats(metric: PerformanceMetric, candidate: number, incumbent: number, margin: number): boolean {
  const gain = lowerIsBetter(metric) ? incumbent - candidate : candidate - incumbent;
  return gain > 0 && gain >= margin;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** The champion's scores on the holdout rows; undefined when it reads a feature the set lacks. */
function scoreRows(loaded: LoadedModel, set: TrainingSet): Float64Array | undefined {
  const names = new Set(set.features.map((f) => f.name));
  if (!loaded.bundle.features.every((f) => names.has(f.name))) return undefined;
  const out = new Float64Array(set.time.length - set.testStart);
  for (let i = 0; i < out.length; i++) out[i] = loaded.score(rowAt(set, set.testStart + i));
  return out;
}

export function metricOf(metric: PerformanceMetric, scores: Float64Array, labels: Float64Array): number {
  if (metric === 'mae' || metric === 'rmse') return regressionReport(scores, labels)[metric];
  return binaryReport(scores, labels)[metric];
}
