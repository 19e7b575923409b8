import { checkBins, proportions } from './check.js';

/**
 * Jensen–Shannon distance between two binned distributions, as
 * scipy.spatial.distance.jensenshannon(p, q): both are normalised, m = (p + q)/2, and the result
 * is √((KL(p‖m) + KL(q‖m)) / 2) with natural logarithms, so it lies in [0, √ln 2]. Empty bins
 * need no smoothing (0 · ln 0 = 0).
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  checkBins('jensenShannon', p, q);
  const a = proportions(p);
  const b = proportions(q);
  // Two sums added at the end, as scipy does: swapping p and q then gives the same bits.
  let left = 0;
  let right = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i] as number;
    const bi = b[i] as number;
    const mi = (ai + bi) / 2;
    if (ai > 0) left += ai * Math.log(ai / mi);
    if (bi > 0) right += bi * Math.log(bi / mi);
  }
  // Rounding can leave a tiny negative for identical inputs.
  return Math.sqrt(Math.max((left + right) / 2, 0));
}
