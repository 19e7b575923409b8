import { checkSample } from './check.js';

/**
 * The first Wasserstein (earth mover's) distance between two samples' empirical distributions,
 * as scipy.stats.wasserstein_distance(u, v): ∫ |F_u − F_v| dx, summed exactly between the
 * merged sorted values. O((n + m) log(n + m)).
 */
export function wasserstein(u: ArrayLike<number>, v: ArrayLike<number>): number {
  checkSample('wasserstein', 'first', u);
  checkSample('wasserstein', 'second', v);
  return wassersteinSorted(Float64Array.from(u).sort(), Float64Array.from(v).sort());
}

/** wasserstein on ascending samples without NaN. */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let x = Math.min(a[0] as number, b[0] as number);
  while (i < n || j < m) {
    while (i < n && (a[i] as number) <= x) i++;
    while (j < m && (b[j] as number) <= x) j++;
    if (i === n && j === m) break;
    const next = Math.min(i < n ? (a[i] as number) : Infinity, j < m ? (b[j] as number) : Infinity);
    sum += Math.abs(i / n - j / m) * (next - x);
    x = next;
  }
  return sum;
}

/**
 * Evidently's normalised Wasserstein distance: the distance in units of the reference's
 * (population) standard deviation, so one threshold (0.1) suits every column's scale. A constant
 * reference (std 0) is divided by 0.001 instead, as in Evidently: any move of the values then
 * reads as a large drift. The std defaults to the reference sample's; columnDrift passes the
 * profile's, measured on every training row.
 */
export function normalizedWasserstein(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  referenceStd: number = populationStd(reference),
): number {
  return wasserstein(reference, current) / Math.max(referenceStd, MIN_STD);
}

function populationStd(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] as number;
  mean /= values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

const MIN_STD = 0.001;
