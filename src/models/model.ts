import type { Dataset } from './dataset.js';
import type { ModelArtifact } from './artifact.js';

/**
 * One example as a model sees it at serving time: feature name → value. A missing key, `null`,
 * `undefined` or `NaN` means "missing"; models must cope (native missing values, or a documented
 * imputation), and must ignore keys they have never seen rather than fail.
 */
export type Row = Readonly<Record<string, number | string | boolean | null | undefined>>;

/** What a model's single output means. */
export type Task = 'binary' | 'regression' | 'anomaly' | 'clustering';

/** Everything a served model offers: score one row, and turn into a deterministic artifact. */
export interface Model {
  /** The algorithm's stable name, e.g. `'gbdt'`, `'ftrl'`; artifacts are loaded back by it. */
  readonly kind: string;
  readonly task: Task;
  /**
   * binary: the predicted class (0 or 1 at threshold 0.5); regression: the value; anomaly: a
   * score where higher is more anomalous; clustering: the cluster index.
   */
  predictOne(x: Row): number;
  /** binary classifiers only: P(y = 1 | x). */
  predictProbaOne?(x: Row): number;
  /** The model's complete state. Equal models give byte-equal serialized artifacts. */
  toArtifact(): ModelArtifact;
}

/** A model fitted once on a whole training set (River: "batch"; scikit-learn: `fit`). */
export interface BatchModel extends Model {
  /** Fits on columnar data (NaN = missing). Replaces any earlier fit. */
  fit(data: Dataset, options?: FitOptions): FitReport;
  /** Scores every row of `data` (columns matched by name; absent columns are all-missing). */
  predict(data: Dataset): Float64Array;
  /** binary classifiers only: P(y = 1) for every row. */
  predictProba?(data: Dataset): Float64Array;
}

/** A model that learns one example at a time (River's `learn_one`). */
export interface OnlineModel extends Model {
  learnOne(x: Row, y: number): void;
  /** Same result as calling `learnOne` for each pair in order; may be faster. */
  learnMany(xs: readonly Row[], ys: ArrayLike<number>): void;
}

export interface FitOptions {
  /** Held-out data for early stopping, where the algorithm supports it. */
  readonly validation?: Dataset;
  /** Called after each round or iteration, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What a fit did, for the training report and the registry's lineage. */
export interface FitReport {
  /** Rounds or iterations actually run (after early stopping). */
  readonly iterations: number;
  /** Per-feature importance by name, where the algorithm defines one (GBDT: total gain). */
  readonly featureImportance?: Readonly<Record<string, number>>;
  /** Validation loss per round, where early stopping ran. */
  readonly validationLoss?: readonly number[];
}
