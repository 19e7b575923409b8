import type { Dataset } from '../dataset.js';
import { columnMeans, imputedColumns } from '../shared/features.js';

/**
 * The training matrix as the solvers see it: missing values imputed with the column's training
 * mean, then centred (when there is an intercept) and divided by the column's standard deviation
 * (when `standardize`). This is only a change of variables that conditions the problem; the
 * penalty is applied to the coefficients in original units, so the solution is the same as
 * without it, and `toOriginalUnits` maps it back.
 */
export interface Design {
  /** `z[j][i] = (x̃[j][i] − center[j]) / scale[j]`, x̃ the imputed value. */
  readonly z: readonly Float64Array[];
  readonly center: Float64Array;
  readonly scale: Float64Array;
  /** Training means of the non-missing values: what a missing value becomes, in training and serving. */
  readonly means: Float64Array;
  /** Row weights, all 1 when the dataset has none. */
  readonly weight: Float64Array;
  readonly totalWeight: number;
}

export interface DesignOptions {
  readonly standardize: boolean;
  readonly fitIntercept: boolean;
}

export function buildDesign(data: Dataset, options: DesignOptions): Design {
  const n = data.rows;
  const means = columnMeans(data);
  const z = imputedColumns(data.columns, means, n);
  const center = new Float64Array(z.length);
  const scale = new Float64Array(z.length).fill(1);
  z.forEach((column, j) => {
    const c = options.fitIntercept ? (means[j] as number) : 0;
    center[j] = c;
    if (options.standardize) {
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const d = (column[i] as number) - (means[j] as number);
        squares += d * d;
      }
      const sd = Math.sqrt(squares / n);
      if (sd > 0) scale[j] = sd;
    }
    const s = scale[j] as number;
    for (let i = 0; i < n; i++) column[i] = ((column[i] as number) - c) / s;
  });
  const weight = data.weight ?? new Float64Array(n).fill(1);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weight[i] as number;
  return { z, center, scale, means, weight, totalWeight };
}

/** Coefficients `beta` and intercept `beta0` of the standardized problem, in original units. */
export function toOriginalUnits(design: Design, beta: ArrayLike<number>, beta0: number): { coefficients: Float64Array; intercept: number } {
  const coefficients = new Float64Array(design.z.length);
  let intercept = beta0;
  for (let j = 0; j < coefficients.length; j++) {
    const w = (beta[j] as number) / (design.scale[j] as number);
    coefficients[j] = w;
    intercept -= w * (design.center[j] as number);
  }
  return { coefficients, intercept };
}

/** |w_j| × sd_j: how far one standard deviation of the feature moves the linear score. */
export function standardizedImportance(featureNames: readonly string[], data: Dataset, coefficients: Float64Array): Record<string, number> {
  const means = columnMeans(data);
  const importance: Record<string, number> = {};
  featureNames.forEach((name, j) => {
    const column = data.columns[j] as Float64Array;
    let squares = 0;
    for (let i = 0; i < column.length; i++) {
      const v = column[i] as number;
      const d = (Number.isFinite(v) ? v : (means[j] as number)) - (means[j] as number);
      squares += d * d;
    }
    importance[name] = Math.abs(coefficients[j] as number) * Math.sqrt(squares / Math.max(column.length, 1));
  });
  return importance;
}
