import { checkBinaryLabels, checkPairs, checkProbabilities } from './check.js';

/**
 * Mean squared difference between P(y = 1) and the 0/1 label (Brier, 1950): 0 is perfect, 0.25 is
 * a constant 0.5. Probabilities outside [0, 1] are an error. NaN for no examples.
 */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPairs('brierScore', probabilities, labels);
  checkBinaryLabels('brierScore', labels);
  checkProbabilities('brierScore', probabilities);
  const n = probabilities.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const error = (probabilities[i] as number) - (labels[i] as number);
    total += error * error;
  }
  return n === 0 ? Number.NaN : total / n;
}
