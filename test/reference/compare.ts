/**
 * How engine values are compared with the brute-force reference: counts and copied values
 * (last, lastK) exactly, arithmetic within a relative 1e-9, HyperLogLog estimates within a few
 * standard errors of the exact distinct count.
 */
import type { Aggregation } from '../../src/features/aggregations.js';
import type { ReferenceCell } from './brute-force.js';

export const RELATIVE_TOLERANCE = 1e-9;

/** Relative standard error of a HyperLogLog with 2^precision registers. */
export function hllStandardError(precision: number): number {
  return 1.04 / Math.sqrt(2 ** precision);
}

/** Smallest c with P(X > c) ≤ tail for X ~ Poisson(λ), λ small. */
function poissonQuantile(lambda: number, tail: number): number {
  let pmf = Math.exp(-lambda);
  let cdf = pmf;
  let c = 0;
  while (1 - cdf > tail) {
    c++;
    pmf *= lambda / c;
    cdf += pmf;
  }
  return c;
}

/**
 * Largest accepted |estimate − exact| for a distinct count: three standard errors, but at least
 * what register collisions can explain. Among n values in m registers the colliding pairs are
 * about Poisson(λ = n(n−1)/2m), and for small λ each one lowers the estimate by 1 (two distinct
 * values in one register read as one: a 1-in-m chance per pair; linear counting's correction for
 * λ rounds away), so the allowance is the Poisson quantile at 1 − 1e-6. Exact for 0 and 1;
 * at the default precision 12 the allowance is 1 for 2 values, 2 up to 10, 3 to 5 for 20 to 100.
 */
export function distinctTolerance(exact: number, precision: number): number {
  const m = 2 ** precision;
  const lambda = (exact * (exact - 1)) / (2 * m);
  // Beyond λ ≈ 1 collisions are many and the standard error describes them.
  const collisions = lambda <= 1 ? poissonQuantile(lambda, 1e-6) : 0;
  return Math.max(3 * hllStandardError(precision) * exact, collisions);
}

function close(a: number, b: number, scale: number): boolean {
  if (Object.is(a, b)) return true;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, scale, Math.abs(a), Math.abs(b));
}

function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Why `actual` differs from the reference cell for this aggregation, or `undefined` when it
 * matches. Variance errors scale with the square of the values (cancellation in Σx² − n·mean²),
 * so variance is compared on the scale max(1, M²) where M is the window's largest |x|, and std
 * through its square on the same scale.
 */
export function mismatch(aggregation: Aggregation, expected: ReferenceCell, actual: unknown): string | undefined {
  const want = expected.value;
  const differ = `expected ${show(want)}, got ${show(actual)}`;
  if (want === null) return actual === null ? undefined : differ;
  if (Array.isArray(want)) {
    if (!Array.isArray(actual) || actual.length !== want.length) return differ;
    return want.every((w, i) => Object.is(w, actual[i])) ? undefined : differ;
  }
  if (typeof want !== 'number') return Object.is(want, actual) ? undefined : differ;
  if (typeof actual !== 'number') return differ;
  const squareScale = Math.max(1, expected.magnitude * expected.magnitude);
  switch (aggregation.aggregation) {
    case 'count':
      return Object.is(want, actual) ? undefined : differ;
    case 'last':
      return Object.is(want, actual) ? undefined : differ;
    case 'approxDistinct': {
      const tolerance = distinctTolerance(want, aggregation.precision);
      return Math.abs(actual - want) <= tolerance ? undefined : `${differ} (tolerance ±${tolerance.toFixed(3)})`;
    }
    case 'variance':
      return close(want, actual, squareScale) ? undefined : differ;
    case 'std':
      return close(want * want, actual * actual, squareScale) || close(want, actual, 0) ? undefined : differ;
    default:
      return close(want, actual, 0) ? undefined : differ;
  }
}

/** Why two engine values differ (Object.is per value, elementwise for arrays), or undefined. */
export function notIdentical(a: unknown, b: unknown): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === b.length && a.every((x, i) => Object.is(x, b[i]))) return undefined;
  } else if (Object.is(a, b)) {
    return undefined;
  }
  return `${show(a)} vs ${show(b)}`;
}

/**
 * Why two engine values differ beyond rounding (relative 1e-9 on the window's scale, see
 * `mismatch`), or undefined. Used between the two drivers when event order differs.
 */
export function notClose(aggregation: Aggregation, a: unknown, b: unknown, magnitude: number): string | undefined {
  if (a === null || b === null || typeof a !== 'number' || typeof b !== 'number' || aggregation.aggregation === 'approxDistinct') {
    return notIdentical(a, b);
  }
  const result = mismatch(aggregation, { value: a, magnitude }, b);
  return result === undefined ? undefined : `${show(a)} vs ${show(b)}`;
}
