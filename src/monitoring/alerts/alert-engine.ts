import type { AlertDefinition, PerformanceMetric } from '../../features/model-monitoring.js';
import { parseDuration } from '../../features/duration.js';
import type { AlertRecord, ColumnDrift, DatasetDrift } from '../types.js';
import type { AlertActions } from './alert-actions.js';

/** What one check of a model's alerts sees. */
export interface ModelSignals {
  /** The drift evaluation made since the last check; null when none was made. */
  readonly dataDrift: DatasetDrift | null;
  /** The prediction column's drift in that evaluation. */
  readonly predictionDrift: ColumnDrift | null;
  /** Detectors that signalled a change since the last check. */
  readonly conceptDrift: readonly string[];
  /** Rolling metrics over labelled predictions, and how many labels they cover. */
  readonly performance: { readonly labelled: number; readonly values: Partial<Record<PerformanceMetric | 'calibrationError', number>> };
  /** Share of recent predictions answered by a fallback; null before any. */
  readonly fallbackRate: number | null;
  /** Time since the stream last applied an event; null before any. */
  readonly freshnessMs: number | null;
}

export interface AlertEngineOptions {
  readonly actions: AlertActions;
  /** Where every fired alert goes (the audit log, the dashboard). */
  readonly record: (alert: AlertRecord) => Promise<void>;
  readonly now?: () => number;
}

/** A condition that holds, with the message saying why. */
type Finding = string | undefined;

/**
 * A model's alerts: each check evaluates every condition; one that holds and is out of its
 * cooldown fires its action and is recorded with the outcome. Conditions are levels (drift
 * share, a metric below a bound), except concept drift, which fires on each detector signal.
 * A 'fallback' action lasts while its condition holds: the first check where it no longer
 * holds returns the model to serving, and that is recorded too.
 */
export class AlertEngine {
  readonly #model: string;
  readonly #alerts: readonly AlertDefinition[];
  readonly #options: AlertEngineOptions;
  readonly #now: () => number;
  readonly #quietUntil = new Map<string, number>();
  #forcedBy: string | undefined;

  constructor(model: string, alerts: readonly AlertDefinition[], options: AlertEngineOptions) {
    this.#model = model;
    this.#alerts = alerts;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The alert holding the model on its fallback chain, if any. */
  get forcedBy(): string | undefined {
    return this.#forcedBy;
  }

  async check(signals: ModelSignals): Promise<AlertRecord[]> {
    const fired: AlertRecord[] = [];
    for (const alert of this.#alerts) {
      const finding = evaluate(alert, signals);
      if (finding === undefined) {
        if (this.#forcedBy === alert.name && conditionMeasured(alert, signals)) fired.push(await this.#release(alert));
        continue;
      }
      const now = this.#now();
      if (now < (this.#quietUntil.get(alert.name) ?? -Infinity)) continue;
      this.#quietUntil.set(alert.name, now + alert.cooldownMs);
      fired.push(await this.#fire(alert, finding, now));
    }
    return fired;
  }

  async #fire(alert: AlertDefinition, message: string, at: number): Promise<AlertRecord> {
    const actions = this.#options.actions;
    let outcome: string;
    try {
      switch (alert.actionKind) {
        case 'retrain':
          outcome = await actions.retrain(this.#model, alert.name);
          break;
        case 'rollback':
          outcome = await actions.rollback(this.#model, alert.name);
          break;
        case 'fallback':
          this.#forcedBy = alert.name;
          outcome = actions.fallback(this.#model, alert.name);
          break;
        case 'webhook':
          outcome = await actions.webhook((alert.action as { webhook: string }).webhook, {
            model: this.#model,
            alert: alert.name,
            kind: alert.kind,
            message,
            at: new Date(at).toISOString(),
          });
          break;
        default:
          outcome = 'recorded';
      }
    } catch (error) {
      outcome = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    const record: AlertRecord = { at, model: this.#model, alert: alert.name, kind: alert.kind, message, action: alert.actionKind, outcome };
    await this.#options.record(record);
    return record;
  }

  async #release(alert: AlertDefinition): Promise<AlertRecord> {
    this.#forcedBy = undefined;
    const outcome = this.#options.actions.fallback(this.#model, undefined);
    const record: AlertRecord = { at: this.#now(), model: this.#model, alert: alert.name, kind: alert.kind, message: 'condition cleared', action: 'fallback', outcome };
    await this.#options.record(record);
    return record;
  }
}

function format(value: number): string {
  return Math.abs(value) >= 100 || Number.isInteger(value) ? String(Math.round(value * 100) / 100) : value.toPrecision(3);
}

/** Whether this check measured the alert's condition at all (no drift evaluation: no news). */
function conditionMeasured(alert: AlertDefinition, signals: ModelSignals): boolean {
  if (alert.kind === 'data-drift') return signals.dataDrift !== null;
  if (alert.kind === 'prediction-drift') return signals.predictionDrift !== null;
  return true;
}

function evaluate(alert: AlertDefinition, signals: ModelSignals): Finding {
  const when = alert.when;
  switch (alert.kind) {
    case 'data-drift': {
      const drift = signals.dataDrift;
      if (drift === null || !drift.drifted) return undefined;
      const columns = drift.columns.filter((c) => c.drifted).map((c) => c.column);
      return `${columns.length} of ${drift.columns.length} features drifted (share ${format(drift.driftShare)} ≥ ${format(drift.shareThreshold)}): ${columns.join(', ')}`;
    }
    case 'prediction-drift': {
      const drift = signals.predictionDrift;
      if (drift === null || !drift.drifted) return undefined;
      return `predictions drifted: ${drift.method} ${drift.pValue === null ? `${format(drift.statistic)} ≥ ${format(drift.threshold)}` : `p = ${drift.pValue.toExponential(2)} < ${drift.threshold}`}`;
    }
    case 'concept-drift':
      return signals.conceptDrift.length === 0 ? undefined : `concept drift signalled by ${signals.conceptDrift.join(', ')} on the prediction loss`;
    case 'performance': {
      const { metric, below, above, minLabels } = when as { metric: PerformanceMetric | 'calibrationError'; below?: number; above?: number; minLabels?: number };
      const needed = minLabels ?? 100;
      const value = signals.performance.values[metric];
      if (signals.performance.labelled < needed || value === undefined || !Number.isFinite(value)) return undefined;
      if (below !== undefined && value < below) return `${metric} ${format(value)} < ${format(below)} over ${signals.performance.labelled} labelled predictions`;
      if (above !== undefined && value > above) return `${metric} ${format(value)} > ${format(above)} over ${signals.performance.labelled} labelled predictions`;
      return undefined;
    }
    case 'fallback-rate': {
      const { fallbackRate } = when as { fallbackRate: number };
      const rate = signals.fallbackRate;
      return rate !== null && rate >= fallbackRate ? `fallback rate ${format(rate)} ≥ ${format(fallbackRate)}` : undefined;
    }
    case 'freshness': {
      const limit = parseDuration((when as { freshness: string | number }).freshness);
      const age = signals.freshnessMs;
      return age !== null && age > limit ? `no event applied for ${Math.round(age / 1000)} s (limit ${Math.round(limit / 1000)} s)` : undefined;
    }
  }
}

