import type { Table } from '../io/table.js';
import type { FallbackKind, FallbackReason, ServedModel, ServingFeatures } from '../serving/types.js';

/** One version to replay, under a label of the report ('champion', 'candidate'). */
export interface ReplayVersion {
  readonly label: string;
  readonly served: ServedModel;
  /** How reports name the version, e.g. 'fraud@3'. @default '<model>@<version>' */
  readonly name?: string;
}

export interface ReplayOptions {
  /** The model whose serving options (rules, fallbacks, budget) every version answers with. */
  readonly model: string;
  /** One version, or two to compare (the first is the reference, e.g. the champion). */
  readonly versions: readonly ReplayVersion[];
  /** Events by source name: every source the model reads; other sources are applied too. */
  readonly events: Readonly<Record<string, Table>>;
  /** Predict for spine events with from ≤ time < to (epoch ms); earlier events only warm up. */
  readonly from: number;
  readonly to: number;
  /** Called now and then with events done out of the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with each spine event's results, in time order (`--out` writes them). */
  readonly onResult?: (result: ReplayResult) => void;
}

/** What one version answered for one event, or why it did not. */
export type ReplayOutcome =
  | {
      readonly status: 'answered';
      /** The registry version that scored; null when a heuristic or default score answered. */
      readonly version: number | null;
      readonly score: number;
      readonly decision: string;
      readonly rule: string | null;
      readonly fallback: { readonly kind: FallbackKind; readonly name: string; readonly reason: FallbackReason } | null;
      readonly latencyUs: number;
      /** The model inputs the prediction used, as the rules saw them. */
      readonly features: ServingFeatures;
    }
  | { readonly status: 'failed'; readonly code: string; readonly message: string; readonly latencyUs: number };

/** One spine event of the window: its id, time, label and each version's outcome by label. */
export interface ReplayResult {
  readonly id: string;
  readonly at: number;
  /** The model's label on the event (booleans as 1/0), null when absent. */
  readonly label: number | null;
  readonly predictions: Readonly<Record<string, ReplayOutcome>>;
}

export type Counts = Readonly<Record<string, number>>;

/** Quality against the labels the spine events carry; NaN where undefined (one class only). */
export type ReplayMetrics =
  | {
      readonly task: 'binary';
      readonly labelled: number;
      readonly positives: number;
      readonly rocAuc: number;
      readonly prAuc: number;
      readonly logLoss: number;
      /** Of the events stopped (decision ≠ the default decision), the share that were positive. */
      readonly stoppedPrecision: number;
      /** Of the positive events, the share stopped. */
      readonly stoppedRecall: number;
    }
  | { readonly task: 'regression'; readonly labelled: number; readonly mae: number; readonly rmse: number };

export interface VersionReport {
  readonly label: string;
  /** e.g. 'fraud@3'. */
  readonly name: string;
  /** The served version's registry number. */
  readonly version: number;
  /** Predictions answered (by the model or a fallback). */
  readonly predictions: number;
  /** Predictions that failed, by error code. */
  readonly failed: Counts;
  readonly decisions: Counts;
  /** The rule that decided, by name (the default decision is not a rule). */
  readonly rules: Counts;
  readonly fallbacks: { readonly byReason: Counts; readonly byKind: Counts };
  /** In-process predict latency (feature read, score, rules) in µs. */
  readonly latencyUs: { readonly p50: number; readonly p99: number };
  /** null when no spine event in the window carries the label, or the task has no metric. */
  readonly metrics: ReplayMetrics | null;
}

/** Where two versions' answers to the same events differ most. */
export interface Disagreement {
  readonly id: string;
  readonly at: number;
  readonly label: number | null;
  readonly scores: readonly [number, number];
  readonly decisions: readonly [string, string];
}

export interface Comparison {
  /** The two labels, reference first. */
  readonly labels: readonly [string, string];
  /** Events both answered. */
  readonly compared: number;
  /** Share of compared events with the same decision. */
  readonly agreement: number;
  /** Decisions: reference decision → other decision → events. */
  readonly confusion: Readonly<Record<string, Counts>>;
  /** Top 5 by |score difference|, largest first. */
  readonly disagreements: readonly Disagreement[];
  /** For each metric both have: the label of the better version, or 'tie'. */
  readonly winners: Readonly<Record<string, string>>;
}

export interface ReplayReport {
  readonly model: string;
  readonly from: number;
  readonly to: number;
  readonly spineSource: string;
  readonly events: {
    /** Every event given, of every source. */
    readonly total: number;
    /** Applied before `from`, without predictions. */
    readonly warmUp: number;
    /** Events of every source with from ≤ time < to. */
    readonly window: number;
    /** Spine events of the window: each is predicted by every version. */
    readonly predicted: number;
    /** At or after `to`: not applied. */
    readonly after: number;
    /** Events the engine rejected (warm-up and window), by error code. */
    readonly rejected: Counts;
  };
  readonly versions: readonly VersionReport[];
  /** With two versions: the second compared to the first. */
  readonly comparison: Comparison | null;
}
