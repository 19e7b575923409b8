import { TandemError } from '../../errors.js';
import { artifact, type JsonValue, type ModelArtifact } from '../artifact.js';
import type { Dataset } from '../dataset.js';
import type { BatchModel, FitOptions, FitReport, Row } from '../model.js';
import { checkFinite, requireLabel, requireRows } from '../shared/features.js';
import { fromArtifactParams, notFitted, parseParams } from '../shared/params.js';
import { buildDesign, standardizedImportance, toOriginalUnits } from './design.js';
import { LinearPredictor, checkKind } from './linear-predictor.js';
import {
  linearRegressionParamsSchema,
  penaltyStrength,
  type LinearRegressionParams,
  type ResolvedLinearRegressionParams,
} from './params.js';

const NAME = 'linearRegression';

/**
 * Least squares with an optional L2 (ridge) penalty; see params.ts for `l2` and the
 * scikit-learn-`Ridge`-compatible `alpha`. The objective is quadratic, so the fit is its exact
 * minimiser — one Newton step: the normal equations (ZᵀΩZ + λD)β = ZᵀΩy solved by Cholesky in
 * standardized coordinates. Missing values are imputed with the training mean, stored in the artifact.
 */
export class LinearRegression implements BatchModel {
  readonly kind = 'linear-regression';
  readonly task = 'regression';
  readonly params: ResolvedLinearRegressionParams;
  #predictor: LinearPredictor | undefined;

  constructor(params: LinearRegressionParams = {}) {
    this.params = parseParams(NAME, linearRegressionParamsSchema, params);
  }

  get coefficients(): Readonly<Record<string, number>> {
    const predictor = this.#fitted();
    return Object.fromEntries(predictor.featureNames.map((name, j) => [name, predictor.coefficients[j] as number]));
  }

  get intercept(): number {
    return this.#fitted().intercept;
  }

  fit(data: Dataset, options: FitOptions = {}): FitReport {
    requireRows(NAME, data, 1);
    checkFinite(NAME, data);
    const label = requireLabel(NAME, data);
    const { fitIntercept, standardize } = this.params;
    const design = buildDesign(data, { standardize, fitIntercept });
    const lambda = penaltyStrength(this.params, design.totalWeight);
    const { z, scale, weight } = design;
    const p = z.length;
    const n = data.rows;
    // Unknowns: β₁…β_p, then β₀ when there is an intercept; the intercept column is all ones.
    const size = fitIntercept ? p + 1 : p;
    const ones = new Float64Array(n).fill(1);
    const column = (j: number): Float64Array => (j < p ? (z[j] as Float64Array) : ones);
    const a = new Float64Array(size * size);
    const rhs = new Float64Array(size);
    const weighted = new Float64Array(n);
    for (let j = 0; j < size; j++) {
      const cj = column(j);
      for (let i = 0; i < n; i++) weighted[i] = (weight[i] as number) * (cj[i] as number);
      let r = 0;
      for (let i = 0; i < n; i++) r += (weighted[i] as number) * (label[i] as number);
      rhs[j] = r;
      for (let k = 0; k <= j; k++) {
        const ck = column(k);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += (weighted[i] as number) * (ck[i] as number);
        a[j * size + k] = sum;
        a[k * size + j] = sum;
      }
      if (j < p) a[j * size + j] = (a[j * size + j] as number) + lambda / ((scale[j] as number) * (scale[j] as number));
      options.onProgress?.(j + 1, size);
    }
    const theta = solveSymmetric(a, rhs, size, (j) => (j < p ? `feature '${data.featureNames[j]}'` : 'the intercept'));
    const { coefficients, intercept } = toOriginalUnits(design, theta.subarray(0, p), fitIntercept ? (theta[p] as number) : 0);
    this.#predictor = new LinearPredictor([...data.featureNames], coefficients, intercept, design.means);
    return { iterations: 1, featureImportance: standardizedImportance(data.featureNames, data, coefficients) };
  }

  predictOne(x: Row): number {
    return this.#fitted().scoreRow(x);
  }

  predict(data: Dataset): Float64Array {
    return this.#fitted().scoreColumns(data);
  }

  toArtifact(): ModelArtifact {
    const predictor = this.#fitted();
    return artifact(this.kind, this.params as { readonly [key: string]: JsonValue }, predictor.featureNames, predictor.state());
  }

  static fromArtifact(model: ModelArtifact): LinearRegression {
    checkKind(model, 'linear-regression');
    const loaded = fromArtifactParams('linear-regression', () => new LinearRegression(model.params as LinearRegressionParams));
    loaded.#predictor = LinearPredictor.fromArtifact(model);
    return loaded;
  }

  #fitted(): LinearPredictor {
    if (this.#predictor === undefined) throw notFitted(NAME);
    return this.#predictor;
  }
}

export function linearRegression(params: LinearRegressionParams = {}): LinearRegression {
  return new LinearRegression(params);
}

export function linearRegressionFromArtifact(model: ModelArtifact): LinearRegression {
  return LinearRegression.fromArtifact(model);
}

/**
 * Solves Aθ = b for symmetric positive semi-definite A by Cholesky (Golub & Van Loan §4.2). An
 * unknown whose column is all zero (a constant feature, after centring) gets θ = 0; any other
 * zero pivot means the features are collinear, and without a penalty the solution is not unique.
 */
function solveSymmetric(a: Float64Array, b: Float64Array, size: number, describe: (j: number) => string): Float64Array {
  const l = new Float64Array(size * size);
  const active = new Uint8Array(size);
  let largest = 0;
  for (let j = 0; j < size; j++) largest = Math.max(largest, a[j * size + j] as number);
  for (let j = 0; j < size; j++) {
    if ((a[j * size + j] as number) <= 0) continue;
    let d = a[j * size + j] as number;
    for (let k = 0; k < j; k++) d -= (l[j * size + k] as number) ** 2;
    if (d <= 1e-12 * largest) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `linearRegression: ${describe(j)} is a linear combination of the others; drop it or set l2 > 0`,
      );
    }
    active[j] = 1;
    const root = Math.sqrt(d);
    l[j * size + j] = root;
    for (let i = j + 1; i < size; i++) {
      let s = a[i * size + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * size + k] as number) * (l[j * size + k] as number);
      l[i * size + j] = s / root;
    }
  }
  // Forward then back substitution over the active unknowns (inactive rows of L are zero).
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    if (active[i] === 0) continue;
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * size + k] as number) * (y[k] as number);
    y[i] = s / (l[i * size + i] as number);
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    if (active[i] === 0) continue;
    let s = y[i] as number;
    for (let k = i + 1; k < size; k++) s -= (l[k * size + i] as number) * (x[k] as number);
    x[i] = s / (l[i * size + i] as number);
  }
  return x;
}
