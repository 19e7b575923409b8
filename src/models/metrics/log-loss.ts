import { checkBinaryLabels, checkPairs } from './check.js';

/**
 * Probabilities are clipped to [eps, 1 − eps] so one confident miss is finite. eps is the float64
 * machine epsilon, as in scikit-learn since 1.2 (`eps='auto'`; 1e-15 before): a miss at p = 0 or
 * 1 costs −ln(2⁻⁵²) ≈ 36.04.
 */
export const EPSILON = Number.EPSILON;

/** Mean binary cross-entropy of P(y = 1) against 0/1 labels (natural log); other labels are an error. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPairs('logLoss', probabilities, labels);
  checkBinaryLabels('logLoss', labels);
  const n = probabilities.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probabilities[i] as number, EPSILON), 1 - EPSILON);
    total -= (labels[i] as number) === 1 ? Math.log(p) : Math.log1p(-p);
  }
  return n === 0 ? Number.NaN : total / n;
}
