import { checkPairs } from './check.js';

/** Probabilities are clipped to [eps, 1 − eps] as scikit-learn does, so one confident miss is finite. */
const EPSILON = 1e-15;

/** Mean binary cross-entropy of P(y = 1) against 0/1 labels (natural log). */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPairs('logLoss', probabilities, labels);
  const n = probabilities.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probabilities[i] as number, EPSILON), 1 - EPSILON);
    total -= (labels[i] as number) === 1 ? Math.log(p) : Math.log1p(-p);
  }
  return n === 0 ? Number.NaN : total / n;
}
