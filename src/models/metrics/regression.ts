import { TandemError } from '../../errors.js';
import { checkPairs, checkTargets } from './check.js';

/** Mean absolute error; NaN for no examples. */
export function mae(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  checkRegression('mae', predictions, targets);
  const n = predictions.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.abs((predictions[i] as number) - (targets[i] as number));
  return n === 0 ? Number.NaN : total / n;
}

/** Root mean squared error; NaN for no examples. */
export function rmse(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  checkRegression('rmse', predictions, targets);
  const n = predictions.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const error = (predictions[i] as number) - (targets[i] as number);
    total += error * error;
  }
  return n === 0 ? Number.NaN : Math.sqrt(total / n);
}

/**
 * Mean absolute percentage error as a fraction (0.1 = 10 %), like scikit-learn's
 * `mean_absolute_percentage_error`. A zero target is an error: the percentage is undefined there,
 * and scikit-learn's answer (dividing by machine epsilon) turns one zero into a number around
 * 10¹⁵ that hides every other row. Use `mae` for targets that can be 0. NaN for no examples.
 */
export function mape(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  checkRegression('mape', predictions, targets);
  const zero = firstZero(targets);
  if (zero >= 0) {
    throw new TandemError(
      'TANDEM_INVALID_DATASET',
      `mape: target ${zero} is 0, where a percentage error is undefined; use mae, or leave out rows with zero targets`,
    );
  }
  return mapeOf(predictions, targets);
}

/**
 * Coefficient of determination, 1 − SS_res / SS_tot: 1 is perfect, 0 is as good as predicting the
 * mean, negative is worse. NaN when the targets are constant (SS_tot = 0) or absent, where R² is
 * undefined (scikit-learn 1.2's default `force_finite=True` reports 1 for perfect predictions and
 * 0 otherwise, which reads as a verdict on the model when it is a property of the data).
 */
export function r2(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  checkRegression('r2', predictions, targets);
  const n = targets.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += targets[i] as number;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const y = targets[i] as number;
    const error = y - (predictions[i] as number);
    residual += error * error;
    total += (y - mean) * (y - mean);
  }
  return total === 0 ? Number.NaN : 1 - residual / total;
}

/** Trusts its input: no zero targets. */
export function mapeOf(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = predictions.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const y = targets[i] as number;
    total += Math.abs(((predictions[i] as number) - y) / y);
  }
  return n === 0 ? Number.NaN : total / n;
}

/** Index of the first zero target, or -1. */
function firstZero(targets: ArrayLike<number>): number {
  for (let i = 0; i < targets.length; i++) if ((targets[i] as number) === 0) return i;
  return -1;
}

export function checkRegression(metric: string, predictions: ArrayLike<number>, targets: ArrayLike<number>): void {
  checkPairs(metric, predictions, targets);
  checkTargets(metric, targets);
}
