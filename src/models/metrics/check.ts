import { TandemError } from '../../errors.js';

/** Metrics take predictions and labels of equal length, without NaN predictions. */
export function checkPairs(metric: string, predictions: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (predictions.length !== labels.length) {
    throw new TandemError(
      'TANDEM_INVALID_DATASET',
      `${metric}: ${predictions.length} predictions but ${labels.length} labels`,
    );
  }
  for (let i = 0; i < predictions.length; i++) {
    if (Number.isNaN(predictions[i])) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${metric}: prediction ${i} is NaN`);
    }
  }
}

/** Classification metrics take labels that are exactly 0 or 1 (not -1/1, not NaN). */
export function checkBinaryLabels(metric: string, labels: ArrayLike<number>): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label !== 0 && label !== 1) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `${metric}: label ${i} is ${label}; binary labels must be 0 or 1`,
      );
    }
  }
}

/** Calibration metrics read predictions as probabilities, so they must lie in [0, 1]. */
export function checkProbabilities(metric: string, probabilities: ArrayLike<number>): void {
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    if (!(p >= 0 && p <= 1)) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `${metric}: prediction ${i} is ${p}; probabilities must lie in [0, 1]`,
      );
    }
  }
}

/** Regression targets must be finite numbers. */
export function checkTargets(metric: string, targets: ArrayLike<number>): void {
  for (let i = 0; i < targets.length; i++) {
    const y = targets[i] as number;
    if (!Number.isFinite(y)) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${metric}: target ${i} is ${y}; targets must be finite`);
    }
  }
}
