import { TandemError } from '../../errors.js';
import type { Task } from '../model.js';
import { exp } from '../shared/exp.js';
import type { GbdtParams } from './params.js';

export const GBDT_OBJECTIVES = ['logloss', 'squared-error'] as const;

/** Probabilities are clipped as in the log-loss metric, so one confident miss stays finite. */
const EPSILON = 1e-15;

/**
 * A twice-differentiable loss of the margin (Chen & Guestrin 2016, §2.2): trees fit its
 * second-order expansion, so only gradients and hessians per row are needed.
 */
export interface Objective {
  readonly name: GbdtParams['objective'];
  readonly task: Task;
  /** Rejects labels the loss cannot use. */
  checkLabels(label: Float64Array): void;
  /** The constant margin that minimises the loss: the (weighted) label mean, as log-odds for logloss. */
  baseScore(label: Float64Array, weight: Float64Array | undefined): number;
  /**
   * Writes a row's (gradient, hessian) pair to gh[at], gh[at + 1] (weight 1 when unweighted), in
   * single precision as xgboost keeps them; histograms sum them in double precision.
   */
  gradient(margin: number, label: number, weight: number, gh: Float32Array, at: number): void;
  /**
   * The largest |g| and h any row can have, when known before the margins are (logloss). Quantized
   * logloss then rounds them as it computes them, from each row's probability (train.ts).
   */
  gradientBounds(maxWeight: number): { readonly g: number; readonly h: number } | undefined;
  /** Mean loss (weighted), for validation and early stopping. */
  loss(margin: Float64Array, label: Float64Array, weight: Float64Array | undefined): number;
  /** Margin → prediction: probability for logloss, the value for squared error. */
  transform(margin: number): number;
}

export function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}

const logloss: Objective = {
  name: 'logloss',
  task: 'binary',
  checkLabels(label) {
    for (let i = 0; i < label.length; i++) {
      const y = label[i];
      if (y !== 0 && y !== 1) {
        throw new TandemError('TANDEM_INVALID_DATASET', `gbdt: objective 'logloss' needs labels 0 or 1, row ${i} has ${y}`);
      }
    }
  },
  baseScore(label, weight) {
    const mean = weightedMean(label, weight);
    const p = Math.min(Math.max(mean, 1e-6), 1 - 1e-6);
    return Math.log(p / (1 - p));
  },
  gradient(margin, label, weight, gh, at) {
    // The table-driven exp: Math.exp was 12 of the 14 ns per row this takes.
    const p = 1 / (1 + exp(-margin));
    gh[at] = (p - label) * weight;
    gh[at + 1] = Math.max(p * (1 - p), 1e-16) * weight;
  },
  // |p − y| < 1 and p(1 − p) ≤ 1/4.
  gradientBounds: (maxWeight) => ({ g: maxWeight, h: maxWeight / 4 }),
  loss(margin, label, weight) {
    let total = 0;
    let weights = 0;
    for (let i = 0; i < margin.length; i++) {
      const p = Math.min(Math.max(sigmoid(margin[i] as number), EPSILON), 1 - EPSILON);
      const w = weight === undefined ? 1 : (weight[i] as number);
      total -= w * ((label[i] as number) === 1 ? Math.log(p) : Math.log1p(-p));
      weights += w;
    }
    return weights === 0 ? Number.NaN : total / weights;
  },
  transform: sigmoid,
};

const squaredError: Objective = {
  name: 'squared-error',
  task: 'regression',
  checkLabels(label) {
    for (let i = 0; i < label.length; i++) {
      if (!Number.isFinite(label[i])) {
        throw new TandemError('TANDEM_INVALID_DATASET', `gbdt: objective 'squared-error' needs finite labels, row ${i} has ${label[i]}`);
      }
    }
  },
  baseScore: weightedMean,
  gradient(margin, label, weight, gh, at) {
    gh[at] = (margin - label) * weight;
    gh[at + 1] = weight;
  },
  // Residuals have no bound known in advance: each round measures its own.
  gradientBounds: () => undefined,
  loss(margin, label, weight) {
    let total = 0;
    let weights = 0;
    for (let i = 0; i < margin.length; i++) {
      const d = (margin[i] as number) - (label[i] as number);
      const w = weight === undefined ? 1 : (weight[i] as number);
      total += w * d * d;
      weights += w;
    }
    return weights === 0 ? Number.NaN : total / weights;
  },
  transform: (margin) => margin,
};

export function objectiveOf(name: GbdtParams['objective']): Objective {
  return name === 'logloss' ? logloss : squaredError;
}

function weightedMean(label: Float64Array, weight: Float64Array | undefined): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < label.length; i++) {
    const w = weight === undefined ? 1 : (weight[i] as number);
    sum += w * (label[i] as number);
    total += w;
  }
  return total > 0 ? sum / total : 0;
}
