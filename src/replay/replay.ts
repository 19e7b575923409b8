import { StreamEngine } from '../engine/stream.js';
import { TandemError, quote } from '../errors.js';
import type { ModelDefinition } from '../features/model.js';
import { modelSources } from '../features/model-features.js';
import type { Project } from '../features/project.js';
import type { Source } from '../features/source.js';
import { columnValue } from '../io/column-value.js';
import type { Table } from '../io/table.js';
import { Predictor } from '../serving/predictor.js';
import type { ServingFeatures } from '../serving/types.js';
import { ComparisonTally } from './comparison.js';
import { mergeEvents } from './merge-events.js';
import type { ReplayOptions, ReplayOutcome, ReplayReport, ReplayResult, VersionReport } from './types.js';
import { VersionTally } from './version-tally.js';

/** How often (in events) progress is reported. */
const PROGRESS_EVERY = 4096;

/**
 * Runs history through the live path: events in time order into a fresh StreamEngine, and
 * for each spine event in [from, to) every version predicts through its own Predictor — the
 * serving code, with the model's rules and fallbacks — before the event is applied, so its
 * features are what serving would have read the moment it arrived. Validates, then runs.
 */
export async function replay(project: Project, options: ReplayOptions): Promise<ReplayReport> {
  const definition = project.models.get(options.model);
  if (definition === undefined) {
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${options.model}' (the project defines: ${[...project.models.keys()].join(', ') || 'none'})`);
  }
  const labels = options.versions.map((v) => v.label);
  if (labels.length < 1 || labels.length > 2) throw new TandemError('TANDEM_USAGE', `replay takes one version or two to compare, got ${labels.length}`);
  if (labels.some((l) => typeof l !== 'string' || l === '') || new Set(labels).size !== labels.length) {
    throw new TandemError('TANDEM_USAGE', `replay versions need distinct non-empty labels, got ${quote(labels)}`);
  }
  for (const [name, at] of [['from', options.from], ['to', options.to]] as const) {
    if (!Number.isFinite(at)) throw new TandemError('TANDEM_USAGE', `replay '${name}' must be a time in epoch ms, got ${quote(at)}`);
  }
  if (!(options.from < options.to)) {
    throw new TandemError('TANDEM_USAGE', `replay 'from' (${new Date(options.from).toISOString()}) must be before 'to' (${new Date(options.to).toISOString()})`);
  }
  for (const name of Object.keys(options.events)) {
    if (!project.sources.has(name)) throw new TandemError('TANDEM_UNKNOWN_SOURCE', `replay events for unknown source '${name}' (the project defines: ${[...project.sources.keys()].join(', ')})`);
  }
  const sources = modelSources(project, definition);
  for (const source of sources) {
    if (options.events[source.name] === undefined) {
      throw new TandemError('TANDEM_USAGE', `model '${definition.name}' reads source '${source.name}'; give its events (given: ${Object.keys(options.events).join(', ') || 'none'})`);
    }
  }
  return run(project, definition, sources[0]!, options);
}

/** A fresh object per event with every column's value, as ingestion would hand it over. */
function rowReader(table: Table): (row: number) => Record<string, unknown> {
  const columns = [...table.columns];
  return (row) => {
    const event: Record<string, unknown> = {};
    for (const [name, column] of columns) event[name] = columnValue(column, row);
    return event;
  };
}

function labelOf(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

interface Lane {
  readonly label: string;
  readonly predictor: Predictor;
  readonly tally: VersionTally;
}

async function run(project: Project, definition: ModelDefinition, spine: Source, options: ReplayOptions): Promise<ReplayReport> {
  const name = definition.name;
  const inputs = Object.entries(options.events).map(([sourceName, table]) => ({ source: project.sources.get(sourceName)!, table }));
  const given = new Set(inputs.map((input) => input.source));
  const engine = new StreamEngine(project, { views: [...project.views.values()].filter((view) => given.has(view.source)).map((view) => view.name) });
  let features: ServingFeatures | undefined;
  const observer = {
    prediction: (_: unknown, used: ServingFeatures) => void (features = used),
    label: () => {},
  };
  const lanes: Lane[] = options.versions.map(({ label, served, name: shown }) => ({
    label,
    predictor: new Predictor(project, engine, new Map([[name, served]]), { observer }),
    tally: new VersionTally(label, shown ?? `${name}@${served.champion.version}`, served.champion.version, definition.serving.defaultDecision),
  }));
  // The request carries what any version reads: entity keys and request fields.
  const fields = new Set<string>();
  for (const lane of lanes) {
    const plan = lane.predictor.describe(name).plan;
    for (const view of plan.views) {
      if (!given.has(view.source)) {
        throw new TandemError('TANDEM_USAGE', `${lane.label} (${lane.tally.name}) reads view '${view.name}' of source '${view.source.name}'; give its events`);
      }
    }
    for (const field of [...plan.keyFields, ...plan.requestFields.keys()]) fields.add(field);
  }
  const comparison = lanes.length === 2 ? new ComparisonTally([lanes[0]!.label, lanes[1]!.label]) : undefined;

  const predictOne = async (lane: Lane, request: Record<string, unknown>): Promise<ReplayOutcome> => {
    features = undefined;
    const started = performance.now();
    try {
      const prediction = await lane.predictor.predict(name, request);
      const latencyUs = (performance.now() - started) * 1000;
      const { version, score, decision, rule, fallback } = prediction;
      return { status: 'answered', version, score, decision, rule, fallback: fallback === undefined ? null : { kind: fallback.kind, name: fallback.name, reason: fallback.reason }, latencyUs, features: features ?? {} };
    } catch (error) {
      const latencyUs = (performance.now() - started) * 1000;
      if (error instanceof TandemError) return { status: 'failed', code: error.code, message: error.message, latencyUs };
      return { status: 'failed', code: 'TANDEM_INTERNAL', message: error instanceof Error ? error.message : String(error), latencyUs };
    }
  };

  const merged = mergeEvents(inputs);
  const readers = inputs.map((input) => rowReader(input.table));
  const spineIndex = inputs.findIndex((input) => input.source === spine);
  const { from, to } = options;
  const rejected: Record<string, number> = {};
  let warmUp = 0;
  let window = 0;
  let predicted = 0;
  let p = 0;
  for (; p < merged.length; p++) {
    const t = merged.time[p]!;
    if (t >= to) break;
    const s = merged.source[p]!;
    const r = merged.row[p]!;
    const event = readers[s]!(r);
    if (t >= from) {
      window++;
      if (s === spineIndex) {
        predicted++;
        const key = spine.idempotencyKey === undefined ? null : event[spine.idempotencyKey];
        const id = key === null || key === undefined ? String(r + 1) : String(key);
        const request: Record<string, unknown> = { id, at: t };
        for (const field of fields) request[field] = event[field] ?? null;
        const label = labelOf(event[definition.label]);
        const predictions: Record<string, ReplayOutcome> = {};
        for (const lane of lanes) {
          const outcome = await predictOne(lane, request);
          lane.tally.record(outcome, label);
          predictions[lane.label] = outcome;
        }
        const result: ReplayResult = { id, at: t, label, predictions };
        comparison?.record(result);
        options.onResult?.(result);
      }
    } else {
      warmUp++;
    }
    // Only now: the event's own prediction never sees it, exactly as live.
    const applied = engine.apply(inputs[s]!.source.name, event);
    if (applied.status === 'rejected') rejected[applied.code] = (rejected[applied.code] ?? 0) + 1;
    if (p % PROGRESS_EVERY === 0) options.onProgress?.(p, merged.length);
  }
  options.onProgress?.(merged.length, merged.length);
  const versions = lanes.map((lane) => lane.tally.report(definition.task));
  return {
    model: name,
    from,
    to,
    spineSource: spine.name,
    events: { total: merged.length, warmUp, window, predicted, after: merged.length - p, rejected },
    versions,
    comparison: comparison === undefined ? null : comparison.report(versions as [VersionReport, VersionReport]),
  };
}
