import { upperRegularizedGamma } from './incomplete-gamma.js';

/**
 * The complementary error function through erfc(x) = Q(1/2, x²) for x ≥ 0 (Numerical Recipes
 * §6.2.2), which keeps the relative accuracy of the incomplete gamma deep into the tail where
 * 1 − erf(x) would round to 0.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const q = upperRegularizedGamma(0.5, x * x);
  return x >= 0 ? q : 2 - q;
}

/** P(Z > z) for a standard normal Z, as scipy.stats.norm.sf. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
