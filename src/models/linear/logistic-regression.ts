import { TandemError } from '../../errors.js';
import { artifact, type JsonValue, type ModelArtifact } from '../artifact.js';
import type { Dataset } from '../dataset.js';
import type { BatchModel, FitOptions, FitReport, Row } from '../model.js';
import { checkFinite, requireLabel, requireRows } from '../shared/features.js';
import { minimizeLbfgs } from '../shared/lbfgs.js';
import { fromArtifactParams, notFitted, parseParams } from '../shared/params.js';
import { buildDesign, standardizedImportance, toOriginalUnits, type Design } from './design.js';
import { LinearPredictor, checkKind } from './linear-predictor.js';
import {
  logisticRegressionParamsSchema,
  penaltyStrength,
  type LogisticRegressionParams,
  type ResolvedLogisticRegressionParams,
} from './params.js';

const NAME = 'logisticRegression';

export interface LogisticRegressionFitReport extends FitReport {
  /** Why L-BFGS stopped: the gradient tolerance was met, no further progress, or the iteration cap. */
  readonly stoppedBy: 'gradient' | 'no-progress' | 'max-iterations';
}

/**
 * Binary logistic regression with an L2 penalty (see params.ts for the scaling of `l2` and the
 * scikit-learn-compatible `C`), fitted with L-BFGS. Missing values are imputed with the training
 * mean of the feature, which the artifact stores, so serving imputes the same way.
 */
export class LogisticRegression implements BatchModel {
  readonly kind = 'logistic-regression';
  readonly task = 'binary';
  readonly params: ResolvedLogisticRegressionParams;
  #predictor: LinearPredictor | undefined;

  constructor(params: LogisticRegressionParams = {}) {
    this.params = parseParams(NAME, logisticRegressionParamsSchema, params);
  }

  get coefficients(): Readonly<Record<string, number>> {
    const predictor = this.#fitted();
    return Object.fromEntries(predictor.featureNames.map((name, j) => [name, predictor.coefficients[j] as number]));
  }

  get intercept(): number {
    return this.#fitted().intercept;
  }

  fit(data: Dataset, options: FitOptions = {}): LogisticRegressionFitReport {
    requireRows(NAME, data, 1);
    checkFinite(NAME, data);
    const label = requireLabel(NAME, data);
    for (let i = 0; i < label.length; i++) {
      if (label[i] !== 0 && label[i] !== 1) {
        throw new TandemError('TANDEM_INVALID_DATASET', `${NAME}: label of row ${i} is ${label[i]}; binary labels must be 0 or 1`);
      }
    }
    const { fitIntercept, standardize, maxIterations, tolerance } = this.params;
    const design = buildDesign(data, { standardize, fitIntercept });
    const lambda = penaltyStrength(this.params, design.totalWeight);
    const p = design.z.length;
    const x0 = new Float64Array(p + 1);
    let positive = 0;
    for (let i = 0; i < data.rows; i++) positive += (design.weight[i] as number) * (label[i] as number);
    if (positive === 0 || positive === design.totalWeight) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${NAME}: the training labels are all ${positive === 0 ? 0 : 1}; it needs both classes`);
    }
    // Start from the intercept-only model's optimum: the log-odds of the base rate.
    if (fitIntercept) x0[p] = Math.log(positive / (design.totalWeight - positive));
    const result = minimizeLbfgs(logisticObjective(design, label, lambda, fitIntercept), x0, {
      maxIterations,
      gradientTolerance: tolerance,
      onIteration: (done) => options.onProgress?.(done, maxIterations),
    });
    const { coefficients, intercept } = toOriginalUnits(design, result.x.subarray(0, p), fitIntercept ? (result.x[p] as number) : 0);
    if (!Number.isFinite(intercept) || coefficients.some((w) => !Number.isFinite(w))) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${NAME}: the fit diverged; check the features for extreme values or raise l2`);
    }
    this.#predictor = new LinearPredictor([...data.featureNames], coefficients, intercept, design.means);
    return {
      iterations: result.iterations,
      stoppedBy: result.reason,
      featureImportance: standardizedImportance(data.featureNames, data, coefficients),
    };
  }

  /** The predicted class: 1 when P(y = 1) > 0.5. */
  predictOne(x: Row): number {
    return this.predictProbaOne(x) > 0.5 ? 1 : 0;
  }

  predictProbaOne(x: Row): number {
    return sigmoid(this.#fitted().scoreRow(x));
  }

  predict(data: Dataset): Float64Array {
    const proba = this.predictProba(data);
    for (let i = 0; i < proba.length; i++) proba[i] = (proba[i] as number) > 0.5 ? 1 : 0;
    return proba;
  }

  predictProba(data: Dataset): Float64Array {
    const scores = this.#fitted().scoreColumns(data);
    for (let i = 0; i < scores.length; i++) scores[i] = sigmoid(scores[i] as number);
    return scores;
  }

  toArtifact(): ModelArtifact {
    const predictor = this.#fitted();
    return artifact(this.kind, this.params as { readonly [key: string]: JsonValue }, predictor.featureNames, predictor.state());
  }

  /** For `logisticRegressionFromArtifact`. */
  static fromArtifact(model: ModelArtifact): LogisticRegression {
    checkKind(model, 'logistic-regression');
    const loaded = fromArtifactParams('logistic-regression', () => new LogisticRegression(model.params as LogisticRegressionParams));
    loaded.#predictor = LinearPredictor.fromArtifact(model);
    return loaded;
  }

  #fitted(): LinearPredictor {
    if (this.#predictor === undefined) throw notFitted(NAME);
    return this.#predictor;
  }
}

export function logisticRegression(params: LogisticRegressionParams = {}): LogisticRegression {
  return new LogisticRegression(params);
}

export function logisticRegressionFromArtifact(model: ModelArtifact): LogisticRegression {
  return LogisticRegression.fromArtifact(model);
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * (Σ ωᵢ·[log(1 + e^ηᵢ) − yᵢηᵢ] + (λ/2)·Σ (βⱼ/sⱼ)²) / S over θ = (β, β₀), ηᵢ = β₀ + Σ βⱼ zᵢⱼ.
 * Dividing by S keeps gradients O(1), so one tolerance suits any number of rows.
 */
function logisticObjective(design: Design, label: Float64Array, lambda: number, fitIntercept: boolean) {
  const { z, scale, weight, totalWeight } = design;
  const n = label.length;
  const p = z.length;
  const eta = new Float64Array(n);
  return (theta: Float64Array, gradient: Float64Array): number => {
    eta.fill(fitIntercept ? (theta[p] as number) : 0);
    for (let j = 0; j < p; j++) {
      const b = theta[j] as number;
      if (b === 0) continue;
      const column = z[j] as Float64Array;
      for (let i = 0; i < n; i++) eta[i] = (eta[i] as number) + b * (column[i] as number);
    }
    let loss = 0;
    let interceptGradient = 0;
    for (let i = 0; i < n; i++) {
      const e = eta[i] as number;
      const w = weight[i] as number;
      const y = label[i] as number;
      // log(1 + e^η) − yη and σ(η) from one exp(−|η|), without overflow for large |η|.
      const a = Math.exp(-Math.abs(e));
      loss += w * ((e > 0 ? e : 0) + Math.log1p(a) - y * e);
      const residual = w * ((e >= 0 ? 1 / (1 + a) : a / (1 + a)) - y);
      eta[i] = residual;
      interceptGradient += residual;
    }
    let penalty = 0;
    for (let j = 0; j < p; j++) {
      const column = z[j] as Float64Array;
      let g = 0;
      for (let i = 0; i < n; i++) g += (eta[i] as number) * (column[i] as number);
      const s = scale[j] as number;
      const b = theta[j] as number;
      penalty += (b / s) * (b / s);
      gradient[j] = (g + (lambda * b) / (s * s)) / totalWeight;
    }
    gradient[p] = fitIntercept ? interceptGradient / totalWeight : 0;
    return (loss + 0.5 * lambda * penalty) / totalWeight;
  };
}
