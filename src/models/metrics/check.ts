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
