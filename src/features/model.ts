import { TandemError, quote } from '../errors.js';
import { findAlgorithm, type Algorithm } from '../models/catalog.js';
import type { Task } from '../models/model.js';
import { checkMonitoring, checkRetrain, type MonitoringDefinition, type MonitoringOptions, type RetrainDefinition, type RetrainOptions } from './model-monitoring.js';
import { checkServing, type ServingDefinition, type ServingOptions } from './model-serving.js';
import { checkName } from './names.js';

/** How a training set is cut in time: everything before the cut trains, the rest tests. */
export type TimeSplit =
  /** Rows at or after this instant (ISO 8601 or epoch ms) form the test set. */
  | { readonly testFrom: string | number }
  /** The latest share of rows by time form the test set, e.g. 0.2. */
  | { readonly testShare: number };

export interface ModelOptions {
  /**
   * Inputs: `'view.feature'`, `'requestSet.feature'`, or a bare feature name that exactly one
   * view or request-feature set of the project defines.
   */
  readonly features: readonly string[];
  /** The label: a field of the training spine (by default the events of the features' source). */
  readonly label: string;
  /** An algorithm kind, e.g. `'gbdt'`, `'logistic-regression'`, `'ftrl'`. */
  readonly algorithm: string;
  /** The algorithm's parameters; see `tandem models --algorithms`. @default {} */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly split: TimeSplit;
  /** Share of the training period (its latest rows) held out for early stopping. @default 0 */
  readonly validationShare?: number;
  /** Keep learning from feedback labels while serving (online algorithms only). @default false */
  readonly online?: boolean;
  /** Seed for every random choice in training, recorded with each version. @default 1 */
  readonly seed?: number;
  /** The source whose events are the training spine. @default the source of the first feature's view */
  readonly source?: string;
  readonly description?: string;
  /** How `tandem serve` answers: latency budget, fallback chain, rules. @default {} */
  readonly serving?: ServingOptions;
  /** Drift, concept-drift detectors and the alerts that act on them (docs/monitoring.md). @default drift and ADWIN, no alerts */
  readonly monitoring?: MonitoringOptions;
  /** Scheduled retraining and the champion/challenger gate. @default on demand, gate on the latest 20% */
  readonly retrain?: RetrainOptions;
}

export interface ModelDefinition {
  readonly kind: 'model';
  readonly name: string;
  readonly features: readonly string[];
  readonly label: string;
  readonly algorithm: Algorithm;
  /** What the model predicts, given its parameters (a GBDT's objective decides binary or regression). */
  readonly task: Task;
  /** Parameters as written; the algorithm applies its defaults. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly split: TimeSplit;
  readonly validationShare: number;
  readonly online: boolean;
  readonly seed: number;
  readonly source: string | undefined;
  readonly description: string | undefined;
  readonly serving: ServingDefinition;
  readonly monitoring: MonitoringDefinition;
  readonly retrain: RetrainDefinition;
}

/**
 * Declare a model: which features it reads, what it predicts, how it learns and how its
 * training data is split in time. Feature names are checked against the project by
 * `defineProject`; the algorithm and its parameters are checked here.
 */
export function model(name: string, options: ModelOptions): ModelDefinition {
  checkName(name, 'model');
  const where = `model '${name}'`;
  const features = options?.features;
  if (!Array.isArray(features) || features.length === 0 || features.some((f) => typeof f !== 'string')) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: features must be a non-empty list of feature names, got ${quote(features)}`);
  }
  const duplicate = features.find((f, i) => features.indexOf(f) !== i);
  if (duplicate !== undefined) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: feature '${duplicate}' is listed twice`);
  }
  if (typeof options.label !== 'string' || options.label === '') {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: label must name a field, got ${quote(options.label)}`);
  }
  let algorithm: Algorithm;
  let task: Task;
  const params = options.params ?? {};
  try {
    algorithm = findAlgorithm(options.algorithm);
    task = algorithm.create(params).task;
  } catch (error) {
    if (error instanceof TandemError) {
      throw new TandemError(error.code, `${where}: ${error.message}`, { cause: error, details: { model: name, ...error.details } });
    }
    throw error;
  }
  const online = options.online ?? false;
  if (online && algorithm.learning !== 'online') {
    throw new TandemError(
      'TANDEM_INVALID_DEFINITION',
      `${where}: online learning needs an online algorithm, and '${algorithm.kind}' is a batch algorithm`,
    );
  }
  const validationShare = options.validationShare ?? 0;
  if (!(validationShare >= 0 && validationShare < 1)) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: validationShare must be in [0, 1), got ${quote(options.validationShare)}`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: seed must be a whole number, got ${quote(options.seed)}`);
  }
  return {
    kind: 'model',
    name,
    features: [...features],
    label: options.label,
    algorithm,
    task,
    params,
    split: checkSplit(where, options.split),
    validationShare,
    online,
    seed,
    source: options.source,
    description: options.description,
    serving: checkServing(where, options.serving),
    monitoring: checkMonitoring(where, options.monitoring),
    retrain: checkRetrain(where, options.retrain),
  };
}

function checkSplit(where: string, split: TimeSplit | undefined): TimeSplit {
  if (split !== undefined && 'testFrom' in split) {
    const at = typeof split.testFrom === 'number' ? split.testFrom : Date.parse(split.testFrom);
    if (!Number.isFinite(at)) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: split.testFrom ${quote(split.testFrom)} is not a date`);
    }
    return { testFrom: split.testFrom };
  }
  if (split !== undefined && 'testShare' in split) {
    if (!(split.testShare > 0 && split.testShare < 1)) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: split.testShare must be in (0, 1), got ${quote(split.testShare)}`);
    }
    return { testShare: split.testShare };
  }
  throw new TandemError(
    'TANDEM_INVALID_DEFINITION',
    `${where}: split must be { testFrom: '<date>' } or { testShare: <0..1> }, got ${quote(split)}`,
  );
}
