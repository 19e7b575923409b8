import { logGamma } from './log-gamma.js';

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), the survival function
 * of a Gamma(a) variable (chi-square: Q(df / 2, statistic / 2)). Numerical Recipes (3rd ed., §6.2):
 * the series for P = 1 − Q below x = a + 1, where Q is not small, and Lentz's continued fraction
 * above it, so tail probabilities keep their relative accuracy (about 1e-14).
 */
export function upperRegularizedGamma(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return 1 - lowerSeries(a, x);
  return upperContinuedFraction(a, x);
}

/** P(a, x) = 1 − Q(a, x). */
export function lowerRegularizedGamma(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  if (x < a + 1) return lowerSeries(a, x);
  return 1 - upperContinuedFraction(a, x);
}

const MAX_ITERATIONS = 100_000;
const TINY = 1e-300;

/** e^(−x) x^a / Γ(a), the factor in front of both expansions. */
function prefactor(a: number, x: number): number {
  return Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function lowerSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * Number.EPSILON) break;
  }
  return sum * prefactor(a, x);
}

function upperContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < Number.EPSILON) break;
  }
  return prefactor(a, x) * h;
}
