/**
 * The shapes monitoring shares between its parts: reference profiles (stored with each model
 * version), drift results, the live snapshot the dashboard polls, and alert records. All are
 * plain JSON so they can be stored, served and rendered as they are.
 */

/** Binned counts: for numbers, `edges` has one more entry than `counts`; for categories, `labels` has one per count. */
export interface Histogram {
  readonly edges?: readonly number[];
  readonly labels?: readonly string[];
  readonly counts: readonly number[];
}

/** A numeric column of the training data (or of the training predictions). */
export interface NumericProfile {
  readonly kind: 'number';
  readonly name: string;
  /** Rows, missing (null or NaN) included. */
  readonly count: number;
  readonly missing: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** Population standard deviation. */
  readonly std: number | null;
  /** Distinct non-missing values, counted up to 1 000 (then 1 000). */
  readonly distinct: number;
  /** Quantiles at 0, 0.01, …, 1 (101 values; empty when every value is missing). */
  readonly quantiles: readonly number[];
  readonly histogram: Histogram;
  /**
   * Up to `sampleSize` non-missing values, ascending, chosen deterministically: what KS and
   * Wasserstein compare the live window against.
   */
  readonly sample: readonly number[];
}

/** A categorical column: frequencies of its most common values. */
export interface CategoricalProfile {
  readonly kind: 'category';
  readonly name: string;
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  /** The most frequent values (up to 100) and their counts, most frequent first; the rest are summed in `other`. */
  readonly frequencies: readonly { readonly value: string; readonly count: number }[];
  readonly other: number;
}

export type ColumnProfile = NumericProfile | CategoricalProfile;

/** What a model version saw in training: one profile per input feature and one of its training predictions. */
export interface ReferenceProfile {
  readonly format: 'tandem-reference-profile';
  readonly formatVersion: 1;
  readonly rows: number;
  readonly features: readonly ColumnProfile[];
  /** The model's scores on its training rows; null for models that give none. */
  readonly prediction: ColumnProfile | null;
}

export type DriftMethod = 'ks' | 'chi-square' | 'z-test' | 'psi' | 'jensen-shannon' | 'wasserstein';

/** One column's drift between the reference and a live window. */
export interface ColumnDrift {
  readonly column: string;
  readonly kind: 'number' | 'category';
  readonly method: DriftMethod;
  /** The test's statistic or the distance. */
  readonly statistic: number;
  /** Tests (ks, chi-square, z-test): the p-value, drift when below `threshold`. Distances: null, drift when `statistic` ≥ `threshold`. */
  readonly pValue: number | null;
  readonly threshold: number;
  readonly drifted: boolean;
  /** Non-missing values in the reference and in the current window. */
  readonly referenceCount: number;
  readonly currentCount: number;
  /** Reference and current, binned alike (reference bins), for charts. */
  readonly reference: Histogram;
  readonly current: Histogram;
}

/** Drift of every column of a window, and whether the dataset as a whole drifted. */
export interface DatasetDrift {
  /** Epoch ms the window was evaluated. */
  readonly at: number;
  readonly windowSize: number;
  readonly columns: readonly ColumnDrift[];
  /** Share of columns that drifted. */
  readonly driftShare: number;
  /** driftShare ≥ the configured share (Evidently's default 0.5). */
  readonly drifted: boolean;
  readonly shareThreshold: number;
}

export type AlertKind = 'data-drift' | 'prediction-drift' | 'concept-drift' | 'performance' | 'fallback-rate' | 'freshness';
export type ActionKind = 'retrain' | 'rollback' | 'fallback' | 'webhook' | 'none';

/** An alert that fired and what it did. */
export interface AlertRecord {
  /** Epoch ms. */
  readonly at: number;
  readonly model: string;
  readonly alert: string;
  readonly kind: AlertKind;
  readonly message: string;
  readonly action: ActionKind;
  /** What the action did ('retrain job started', 'champion 3 → 2', 'webhook 200', 'skipped: cooldown until …'). */
  readonly outcome: string;
}

/** Values sampled at a fixed interval, aligned on `time` (epoch seconds); null where nothing was measured. */
export interface TimeSeries {
  readonly time: readonly number[];
  readonly [name: string]: readonly (number | null)[];
}

export interface ModelMonitoring {
  readonly model: string;
  readonly task: string;
  /** Registry versions, oldest first, with their aliases and headline test metrics. */
  readonly versions: readonly {
    readonly version: number;
    readonly createdAt: string;
    readonly aliases: readonly string[];
    readonly metrics: { readonly [name: string]: number | null };
  }[];
  /** Versions being served by role. */
  readonly serving: { readonly champion: number | null; readonly canary: number | null; readonly shadow: number | null };
  /** The latest evaluation of the live window against the champion's reference; null before there is one. */
  readonly drift: DatasetDrift | null;
  /** Series: `driftShare`, `predictionDrift` (statistic of the prediction column). */
  readonly driftHistory: TimeSeries;
  /** Series over labelled predictions: `rocAuc`, `logLoss`, `accuracy`, `labelled`; (regression) `mae`, `rmse`. */
  readonly performance: TimeSeries;
  /** Concept-drift detectors on the loss stream. */
  readonly detectors: readonly { readonly name: string; readonly state: 'stable' | 'warning' | 'drift'; readonly changes: number }[];
}

/** Everything the dashboard shows, as `GET /v1/monitoring` answers it. */
export interface MonitoringSnapshot {
  /** Epoch ms. */
  readonly generatedAt: number;
  readonly uptimeSeconds: number;
  /**
   * Process-wide series: `requestsPerSecond`, `eventsPerSecond`, `latencyP50Ms`, `latencyP99Ms`,
   * `fallbackRate`, `cpuPercent`, `rssMb`, `eventLoopLagP99Ms`, `freshnessSeconds`.
   */
  readonly series: TimeSeries;
  readonly models: readonly ModelMonitoring[];
  /** Alerts and their actions, newest first. */
  readonly alerts: readonly AlertRecord[];
}
