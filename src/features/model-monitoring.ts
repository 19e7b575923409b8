import { TandemError, quote } from '../errors.js';
import { createDetector, type DetectorSpec } from '../monitoring/detectors/create-detector.js';
import type { ActionKind, AlertKind, DriftMethod } from '../monitoring/types.js';
import { parseDuration, type Duration } from './duration.js';

/** A performance metric over recently labelled predictions, and the side it must stay on. */
export type PerformanceMetric = 'rocAuc' | 'prAuc' | 'logLoss' | 'accuracy' | 'brierScore' | 'mae' | 'rmse';

/** Gate metrics: any holdout metric of `evaluate`. */
const PERFORMANCE_METRICS: readonly PerformanceMetric[] = ['rocAuc', 'prAuc', 'logLoss', 'accuracy', 'brierScore', 'mae', 'rmse'];
/** Alert metrics: those kept over a rolling window of labelled predictions while serving. */
export const ROLLING_METRICS: readonly (PerformanceMetric | 'calibrationError')[] = ['rocAuc', 'logLoss', 'accuracy', 'calibrationError', 'mae', 'rmse'];
const DRIFT_METHODS: readonly DriftMethod[] = ['ks', 'chi-square', 'z-test', 'psi', 'jensen-shannon', 'wasserstein'];

/**
 * When an alert fires:
 * - `'data-drift'`: the share of drifted input features reaches `drift.share`;
 * - `'prediction-drift'`: the distribution of scores drifted from training's;
 * - `'concept-drift'`: a detector on the per-prediction loss signalled a change;
 * - `{ metric, below | above, minLabels? }`: a rolling performance metric crossed a bound;
 * - `{ fallbackRate }`: the share of recent predictions answered by a fallback reached it;
 * - `{ freshness }`: no event was applied for this long.
 */
export type AlertCondition =
  | 'data-drift'
  | 'prediction-drift'
  | 'concept-drift'
  | { readonly metric: PerformanceMetric | 'calibrationError'; readonly below?: number; readonly above?: number; readonly minLabels?: number }
  | { readonly fallbackRate: number }
  | { readonly freshness: Duration };

/**
 * What an alert does: retrain now (the model's retrain job), roll the champion back to the
 * version before, answer from the fallback chain until the condition clears, call a webhook
 * (POST of the alert as JSON), or only record it.
 */
export type AlertAction = 'retrain' | 'rollback' | 'fallback' | 'none' | { readonly webhook: string };

export interface AlertOptions {
  /** @default the condition's kind, e.g. 'data-drift' */
  readonly name?: string;
  readonly when: AlertCondition;
  /** @default 'none' */
  readonly action?: AlertAction;
  /** After firing, the alert stays quiet this long. @default '1h' */
  readonly cooldown?: Duration;
}

export interface MonitoringOptions {
  /** The live window drift compares with training: the last `rows` predictions, or those of the last `duration`. @default { rows: 1000 } */
  readonly window?: { readonly rows: number } | { readonly duration: Duration };
  /** Drift is evaluated this often (and needs `minRows` in the window). @default '30s' */
  readonly evaluateEvery?: Duration;
  /** @default 100 */
  readonly minRows?: number;
  /**
   * Drift tests: the share of drifted features that makes the dataset drifted (@default 0.5),
   * and per-column method or threshold overrides (@default the automatic choice, docs/drift.md).
   */
  readonly drift?: {
    readonly share?: number;
    readonly method?: DriftMethod;
    readonly threshold?: number;
    readonly columns?: Readonly<Record<string, { readonly method?: DriftMethod; readonly threshold?: number }>>;
  };
  /** Concept-drift detectors on the per-prediction loss of labelled predictions. @default ['adwin'] */
  readonly detectors?: readonly (string | { readonly kind: string; readonly [param: string]: unknown })[];
  readonly alerts?: readonly AlertOptions[];
}

export interface RetrainOptions {
  /** Cron expression (UTC) for scheduled retraining, e.g. '0 3 * * *'; none: only on demand and by alerts. */
  readonly schedule?: string;
  /**
   * The champion/challenger gate: a retrained version is promoted only when it beats the
   * champion on the most recent `holdoutShare` of the data by `margin` of `metric`.
   * @default { metric: 'rocAuc' (binary) | 'rmse' (regression), margin: 0, holdoutShare: 0.2 }
   */
  readonly gate?: {
    readonly metric?: PerformanceMetric;
    readonly margin?: number;
    readonly holdoutShare?: number;
    /** Hold out the rows of this latest period instead of a share (e.g. '2d'): new data trains sooner. */
    readonly holdout?: Duration;
  };
  /** A challenger that loses the gate takes the shadow alias (scores beside the champion). @default true */
  readonly shadowLosers?: boolean;
  /** Retries of a failed retrain run. @default 2 */
  readonly retries?: number;
}

export interface AlertDefinition {
  readonly name: string;
  readonly kind: AlertKind;
  readonly when: AlertCondition;
  readonly action: AlertAction;
  readonly actionKind: ActionKind;
  readonly cooldownMs: number;
}

export interface MonitoringDefinition {
  readonly window: { readonly rows: number } | { readonly durationMs: number };
  readonly evaluateEveryMs: number;
  readonly minRows: number;
  readonly drift: {
    readonly share: number;
    readonly method: DriftMethod | undefined;
    readonly threshold: number | undefined;
    readonly columns: Readonly<Record<string, { readonly method?: DriftMethod; readonly threshold?: number }>>;
  };
  readonly detectors: readonly { readonly kind: string; readonly [param: string]: unknown }[];
  readonly alerts: readonly AlertDefinition[];
}

export interface RetrainDefinition {
  readonly schedule: string | undefined;
  readonly gate: { readonly metric: PerformanceMetric | undefined; readonly margin: number; readonly holdoutShare: number; readonly holdoutMs: number | undefined };
  readonly shadowLosers: boolean;
  readonly retries: number;
}

function invalid(message: string): TandemError {
  return new TandemError('TANDEM_INVALID_DEFINITION', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The same test without narrowing, for typed options whose fields are checked one by one. */
function notObject(value: unknown): boolean {
  return !isObject(value);
}

/** Validates a model's `monitoring` option; errors name the model and the option. */
export function checkMonitoring(where: string, options: MonitoringOptions | undefined): MonitoringDefinition {
  const at = (option: string): string => `${where}: monitoring.${option}`;
  if (options !== undefined && notObject(options)) throw invalid(`${where}: monitoring must be an object, got ${quote(options)}`);
  const o = options ?? {};
  let window: MonitoringDefinition['window'] = { rows: 1000 };
  if (o.window !== undefined) {
    const w = o.window as Record<string, unknown>;
    if (isObject(w) && 'rows' in w) {
      if (!(Number.isSafeInteger(w['rows']) && (w['rows'] as number) >= 10)) throw invalid(`${at('window.rows')} must be a whole number ≥ 10, got ${quote(w['rows'])}`);
      window = { rows: w['rows'] as number };
    } else if (isObject(w) && 'duration' in w) {
      const durationMs = parseDuration(w['duration'] as Duration, at('window.duration'));
      if (durationMs <= 0) throw invalid(`${at('window.duration')} must be longer than 0`);
      window = { durationMs };
    } else {
      throw invalid(`${at('window')} must be { rows: <n> } or { duration: '<1h>' }, got ${quote(o.window)}`);
    }
  }
  const evaluateEveryMs = parseDuration(o.evaluateEvery ?? '30s', at('evaluateEvery'));
  if (evaluateEveryMs < 100) throw invalid(`${at('evaluateEvery')} must be at least 100ms, got ${quote(o.evaluateEvery)}`);
  const minRows = o.minRows ?? 100;
  if (!(Number.isSafeInteger(minRows) && minRows >= 1)) throw invalid(`${at('minRows')} must be a positive whole number, got ${quote(o.minRows)}`);
  const drift = o.drift ?? {};
  if (notObject(drift)) throw invalid(`${at('drift')} must be an object, got ${quote(o.drift)}`);
  const share = drift.share ?? 0.5;
  if (!(typeof share === 'number' && share > 0 && share <= 1)) throw invalid(`${at('drift.share')} must be in (0, 1], got ${quote(drift.share)}`);
  const checkMethod = (option: string, method: unknown): DriftMethod | undefined => {
    if (method === undefined) return undefined;
    if (!DRIFT_METHODS.includes(method as DriftMethod)) throw invalid(`${at(option)} must be one of ${DRIFT_METHODS.join(', ')}, got ${quote(method)}`);
    return method as DriftMethod;
  };
  const checkThreshold = (option: string, threshold: unknown): number | undefined => {
    if (threshold === undefined) return undefined;
    if (!(typeof threshold === 'number' && threshold > 0 && Number.isFinite(threshold))) throw invalid(`${at(option)} must be a positive number, got ${quote(threshold)}`);
    return threshold;
  };
  const columns: Record<string, { method?: DriftMethod; threshold?: number }> = {};
  if (drift.columns !== undefined && !isObject(drift.columns)) throw invalid(`${at('drift.columns')} must map feature names to { method?, threshold? }, got ${quote(drift.columns)}`);
  for (const [column, spec] of Object.entries(drift.columns ?? {})) {
    if (!isObject(spec)) throw invalid(`${at(`drift.columns.${column}`)} must be { method?, threshold? }, got ${quote(spec)}`);
    const method = checkMethod(`drift.columns.${column}.method`, spec['method']);
    const threshold = checkThreshold(`drift.columns.${column}.threshold`, spec['threshold']);
    columns[column] = { ...(method ? { method } : {}), ...(threshold !== undefined ? { threshold } : {}) };
  }
  const detectorSpecs = o.detectors ?? ['adwin'];
  if (!Array.isArray(detectorSpecs)) throw invalid(`${at('detectors')} must be a list such as ['adwin', { kind: 'page-hinkley', threshold: 20 }], got ${quote(o.detectors)}`);
  const detectors = detectorSpecs.map((spec: unknown, i) => {
    const checked = typeof spec === 'string' ? { kind: spec } : spec;
    if (!isObject(checked) || typeof checked['kind'] !== 'string') {
      throw invalid(`${at(`detectors[${i}]`)} must be a detector kind or { kind, ...parameters }, got ${quote(spec)}`);
    }
    try {
      createDetector(checked as unknown as DetectorSpec);
    } catch (error) {
      if (error instanceof TandemError) throw invalid(`${at(`detectors[${i}]`)}: ${error.message}`);
      throw error;
    }
    return checked as { kind: string };
  });
  const alertSpecs = o.alerts ?? [];
  if (!Array.isArray(alertSpecs)) throw invalid(`${at('alerts')} must be a list of { when, action?, cooldown? }, got ${quote(o.alerts)}`);
  const names = new Set<string>();
  const alerts = alertSpecs.map((spec: AlertOptions, i) => {
    const alert = checkAlert(at(`alerts[${i}]`), spec);
    if (names.has(alert.name)) throw invalid(`${at(`alerts[${i}]`)}: alert '${alert.name}' is defined twice; give each a name`);
    names.add(alert.name);
    return alert;
  });
  return {
    window,
    evaluateEveryMs,
    minRows,
    drift: { share, method: checkMethod('drift.method', drift.method), threshold: checkThreshold('drift.threshold', drift.threshold), columns },
    detectors,
    alerts,
  };
}

function checkAlert(at: string, spec: AlertOptions): AlertDefinition {
  if (notObject(spec)) throw invalid(`${at} must be { when, action?, cooldown? }, got ${quote(spec)}`);
  const when = spec.when;
  let kind: AlertKind;
  if (when === 'data-drift' || when === 'prediction-drift' || when === 'concept-drift') {
    kind = when;
  } else if (isObject(when) && 'metric' in when) {
    if (!ROLLING_METRICS.includes(when.metric)) throw invalid(`${at}.when.metric must be one of ${ROLLING_METRICS.join(', ')}, got ${quote(when.metric)}`);
    const bounds = [when.below, when.above].filter((b) => b !== undefined);
    if (bounds.length !== 1 || typeof bounds[0] !== 'number' || !Number.isFinite(bounds[0])) {
      throw invalid(`${at}.when needs exactly one of below or above as a number, got ${quote(when)}`);
    }
    if (when.minLabels !== undefined && !(Number.isSafeInteger(when.minLabels) && when.minLabels > 0)) {
      throw invalid(`${at}.when.minLabels must be a positive whole number, got ${quote(when.minLabels)}`);
    }
    kind = 'performance';
  } else if (isObject(when) && 'fallbackRate' in when) {
    if (!(typeof when.fallbackRate === 'number' && when.fallbackRate > 0 && when.fallbackRate <= 1)) throw invalid(`${at}.when.fallbackRate must be in (0, 1], got ${quote(when.fallbackRate)}`);
    kind = 'fallback-rate';
  } else if (isObject(when) && 'freshness' in when) {
    parseDuration(when.freshness, `${at}.when.freshness`);
    kind = 'freshness';
  } else {
    throw invalid(
      `${at}.when must be 'data-drift', 'prediction-drift', 'concept-drift', { metric, below | above }, { fallbackRate } or { freshness }, got ${quote(when)}`,
    );
  }
  const action = spec.action ?? 'none';
  let actionKind: ActionKind;
  if (action === 'retrain' || action === 'rollback' || action === 'fallback' || action === 'none') {
    actionKind = action;
  } else if (isObject(action) && typeof action.webhook === 'string' && /^https?:\/\//.test(action.webhook)) {
    actionKind = 'webhook';
  } else {
    throw invalid(`${at}.action must be 'retrain', 'rollback', 'fallback', 'none' or { webhook: 'http(s)://…' }, got ${quote(action)}`);
  }
  const name = spec.name ?? kind;
  if (typeof name !== 'string' || name === '') throw invalid(`${at}.name must be a non-empty string, got ${quote(spec.name)}`);
  return { name, kind, when, action, actionKind, cooldownMs: parseDuration(spec.cooldown ?? '1h', `${at}.cooldown`) };
}

/** Validates a model's `retrain` option. */
export function checkRetrain(where: string, options: RetrainOptions | undefined): RetrainDefinition {
  const at = (option: string): string => `${where}: retrain.${option}`;
  if (options !== undefined && notObject(options)) throw invalid(`${where}: retrain must be an object, got ${quote(options)}`);
  const o = options ?? {};
  if (o.schedule !== undefined && (typeof o.schedule !== 'string' || o.schedule.trim() === '')) {
    throw invalid(`${at('schedule')} must be a cron expression such as '0 3 * * *', got ${quote(o.schedule)}`);
  }
  const gate = o.gate ?? {};
  if (notObject(gate)) throw invalid(`${at('gate')} must be { metric?, margin?, holdoutShare? }, got ${quote(o.gate)}`);
  if (gate.metric !== undefined && !PERFORMANCE_METRICS.includes(gate.metric)) {
    throw invalid(`${at('gate.metric')} must be one of ${PERFORMANCE_METRICS.join(', ')}, got ${quote(gate.metric)}`);
  }
  const margin = gate.margin ?? 0;
  if (!(typeof margin === 'number' && margin >= 0 && Number.isFinite(margin))) throw invalid(`${at('gate.margin')} must be a number ≥ 0, got ${quote(gate.margin)}`);
  const holdoutShare = gate.holdoutShare ?? 0.2;
  if (!(typeof holdoutShare === 'number' && holdoutShare > 0 && holdoutShare < 1)) throw invalid(`${at('gate.holdoutShare')} must be in (0, 1), got ${quote(gate.holdoutShare)}`);
  const holdoutMs = gate.holdout === undefined ? undefined : parseDuration(gate.holdout, at('gate.holdout'));
  if (holdoutMs !== undefined && holdoutMs <= 0) throw invalid(`${at('gate.holdout')} must be longer than 0`);
  const retries = o.retries ?? 2;
  if (!(Number.isSafeInteger(retries) && retries >= 0)) throw invalid(`${at('retries')} must be a whole number ≥ 0, got ${quote(o.retries)}`);
  return { schedule: o.schedule, gate: { metric: gate.metric, margin, holdoutShare, holdoutMs }, shadowLosers: o.shadowLosers ?? true, retries };
}

/** Whether a lower value of the metric is better. */
export function lowerIsBetter(metric: PerformanceMetric): boolean {
  return metric === 'logLoss' || metric === 'brierScore' || metric === 'mae' || metric === 'rmse';
}
