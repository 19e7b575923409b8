import type { Task } from '../models/model.js';
import { binaryReport } from '../models/metrics/binary-report.js';
import { mae, rmse } from '../models/metrics/regression.js';
import type { Counts, ReplayMetrics, ReplayOutcome, VersionReport } from './types.js';

function add(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Nearest-rank percentile of sorted values; NaN for none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** What one version answered over a replay, counted as it goes. */
export class VersionTally {
  readonly label: string;
  readonly name: string;
  readonly version: number;
  readonly #defaultDecision: string;
  readonly #failed: Record<string, number> = {};
  readonly #decisions: Record<string, number> = {};
  readonly #rules: Record<string, number> = {};
  readonly #byReason: Record<string, number> = {};
  readonly #byKind: Record<string, number> = {};
  readonly #latencies: number[] = [];
  /** Answered predictions with a label: score, label, stopped. */
  readonly #scores: number[] = [];
  readonly #labels: number[] = [];
  readonly #stopped: boolean[] = [];
  #predictions = 0;

  constructor(label: string, name: string, version: number, defaultDecision: string) {
    this.label = label;
    this.name = name;
    this.version = version;
    this.#defaultDecision = defaultDecision;
  }

  record(outcome: ReplayOutcome, label: number | null): void {
    this.#latencies.push(outcome.latencyUs);
    if (outcome.status === 'failed') {
      add(this.#failed, outcome.code);
      return;
    }
    this.#predictions++;
    add(this.#decisions, outcome.decision);
    if (outcome.rule !== null) add(this.#rules, outcome.rule);
    if (outcome.fallback !== null) {
      add(this.#byReason, outcome.fallback.reason);
      add(this.#byKind, outcome.fallback.kind);
    }
    if (label !== null) {
      this.#scores.push(outcome.score);
      this.#labels.push(label);
      this.#stopped.push(outcome.decision !== this.#defaultDecision);
    }
  }

  report(task: Task): VersionReport {
    const sorted = Float64Array.from(this.#latencies).sort();
    return {
      label: this.label,
      name: this.name,
      version: this.version,
      predictions: this.#predictions,
      failed: this.#failed as Counts,
      decisions: this.#decisions as Counts,
      rules: this.#rules as Counts,
      fallbacks: { byReason: this.#byReason, byKind: this.#byKind },
      latencyUs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) },
      metrics: this.#metrics(task),
    };
  }

  #metrics(task: Task): ReplayMetrics | null {
    const scores = this.#scores;
    const labels = this.#labels;
    if (scores.length === 0) return null;
    if (task === 'regression') return { task, labelled: scores.length, mae: mae(scores, labels), rmse: rmse(scores, labels) };
    if (task !== 'binary') return null;
    // A fallback's constant may lie outside [0, 1]; such answers are no probability to score.
    const keep = scores.flatMap((s, i) => (s >= 0 && s <= 1 && (labels[i] === 0 || labels[i] === 1) ? [i] : []));
    if (keep.length === 0) return null;
    const report = binaryReport(
      keep.map((i) => scores[i]!),
      keep.map((i) => labels[i]!),
    );
    let stopped = 0;
    let stoppedPositive = 0;
    for (const i of keep) {
      if (!this.#stopped[i]) continue;
      stopped++;
      if (labels[i] === 1) stoppedPositive++;
    }
    return {
      task,
      labelled: keep.length,
      positives: report.positives,
      rocAuc: report.rocAuc,
      prAuc: report.prAuc,
      logLoss: report.logLoss,
      stoppedPrecision: stopped === 0 ? Number.NaN : stoppedPositive / stopped,
      stoppedRecall: report.positives === 0 ? Number.NaN : stoppedPositive / report.positives,
    };
  }
}
