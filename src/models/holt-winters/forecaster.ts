import type { ModelArtifact } from '../artifact.js';

/**
 * A model of one univariate series in time order. It does not fit the Row-based `Model`
 * contract — its input is the series' past, not a row of features — so it has this small one.
 */
export interface Forecaster {
  readonly kind: string;
  /** Fits on equally spaced observations, oldest first (no missing values). Replaces any earlier fit. */
  fit(series: Float64Array): ForecastFitReport;
  /** The next `h` values after the end of the fitted series. */
  forecast(h: number): Float64Array;
  /** The model's complete state. Equal models give byte-equal serialized artifacts. */
  toArtifact(): ModelArtifact;
}

export interface ForecastFitReport {
  /** Optimiser iterations (0 when every parameter was given). */
  readonly iterations: number;
  /** Sum of squared one-step-ahead errors over the fitted series. */
  readonly sse: number;
  /** Smoothing parameters used, given or estimated. */
  readonly parameters: Readonly<Record<string, number>>;
}
