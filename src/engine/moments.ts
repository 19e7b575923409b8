/**
 * Running moments (count, sum, mean, population variance) of a window of values, as one block
 * of a Float64Array: both drivers keep their sums here and call only these functions on them,
 * so for the same sequence of adds and removes they produce the same bits.
 *
 * Values are stored shifted, y = x − K with K a value from the window near its mean (Chan,
 * Golub & LeVeque 1983), in Neumaier-compensated sums. Adds and removes drift, in the
 * compensation's own rounding only (second order in ε); the owner recomputes the block from
 * the retained values every `recomputeDue(n)` updates, and sooner when `imprecise` says the
 * shift or the history has made the sums unreliable for what remains.
 */

/**
 * Updates after which a block of n values is recomputed (linear in n: the generated kernels
 * write it out as a · n + b). At 16 per value a recomputation
 * (three passes over the values) costs about 0.2 value visits an update; the drift it bounds
 * is (updates · ε)² of the mass carried, far below what `imprecise` guards against. Until
 * 2026-11-29 it was 2n + 32: the benchmark's generated kernels spent 9–10 % of their time in
 * these recomputations, and the agreement with DuckDB did not change with 16n + 64.
 */
export function recomputeDue(n: number): number {
  return 16 * n + 64;
}

export const M_N = 0;
export const M_K = 1;
const M_S1 = 2;
const M_C1 = 3;
const M_S2 = 4;
const M_C2 = 5;
/** Σ y² over every add and remove since the last recompute: the mass the sums have carried. */
const M_A2 = 6;
export const MOMENT_SIZE = 7;

const EPSILON = Number.EPSILON;

/**
 * The exact rounding error of `sum = a + b` (Knuth's TwoSum). Branch-free, so it costs no
 * mispredictions on random data, and it equals the error Neumaier's branching form computes.
 */
export function twoSumError(a: number, b: number, sum: number): number {
  const bv = sum - a;
  return a - (sum - bv) + (b - bv);
}

export function momentReset(m: Float64Array, o: number): void {
  m[o + M_N] = m[o + M_K] = m[o + M_S1] = m[o + M_C1] = m[o + M_S2] = m[o + M_C2] = m[o + M_A2] = 0;
}

export function momentCopy(from: Float64Array, o: number, to: Float64Array, p: number): void {
  for (let i = 0; i < MOMENT_SIZE; i++) to[p + i] = from[o + i]!;
}

/** Add a non-null value. */
export function momentAdd(m: Float64Array, o: number, v: number): void {
  if (m[o + M_N] === 0) m[o + M_K] = v;
  addShifted(m, o, v);
}

function addShifted(m: Float64Array, o: number, v: number): void {
  const y = v - m[o + M_K]!;
  let s = m[o + M_S1]!;
  let t = s + y;
  m[o + M_C1]! += twoSumError(s, y, t);
  m[o + M_S1] = t;
  const yy = y * y;
  s = m[o + M_S2]!;
  t = s + yy;
  m[o + M_C2]! += twoSumError(s, yy, t);
  m[o + M_S2] = t;
  m[o + M_A2]! += yy;
  m[o + M_N]!++;
}

/** Remove a value added before; the last one out resets the block exactly. */
export function momentRemove(m: Float64Array, o: number, v: number): void {
  if (--m[o + M_N]! === 0) {
    momentReset(m, o);
    return;
  }
  const y = m[o + M_K]! - v; // −(v − K): IEEE subtraction is symmetric, so this cancels the add
  let s = m[o + M_S1]!;
  let t = s + y;
  m[o + M_C1]! += twoSumError(s, y, t);
  m[o + M_S1] = t;
  const yy = y * y;
  s = m[o + M_S2]!;
  t = s - yy;
  m[o + M_C2]! += twoSumError(s, -yy, t);
  m[o + M_S2] = t;
  m[o + M_A2]! += yy;
}

/**
 * Recompute the block from the values at positions [from, to), skipping NaN (null): position i
 * is `values[base + (i & mask) * stride]` (a ring of `mask + 1` slots, `stride` doubles each,
 * or with mask -1 and the defaults simply `values[i]`). The shift becomes the value nearest
 * the mean, so a window of equal values has y = 0 exactly.
 */
export function momentRecompute(m: Float64Array, o: number, values: Float64Array, from: number, to: number, mask: number, base = 0, stride = 1): void {
  momentReset(m, o);
  let s = 0;
  let c = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = values[base + (i & mask) * stride]!;
    if (v !== v) continue;
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
    n++;
  }
  if (n === 0) return;
  const mean = (s + c) / n;
  let k = NaN;
  let best = Infinity;
  for (let i = from; i < to; i++) {
    const v = values[base + (i & mask) * stride]!;
    const d = Math.abs(v - mean);
    if (d < best) {
      best = d;
      k = v;
    }
  }
  m[o + M_K] = k;
  for (let i = from; i < to; i++) {
    const v = values[base + (i & mask) * stride]!;
    if (v === v) addShifted(m, o, v);
  }
}

/**
 * Whether the sums may have lost precision for the values they now hold: the shift is far
 * from them relative to their spread (so rounding of y = x − K shows in the variance), or far
 * larger values passed through and the compensated residue could still show.
 */
export function momentImprecise(m: Float64Array, o: number): boolean {
  return impreciseMoments(m[o + M_N]!, m[o + M_K]!, m[o + M_S1]!, m[o + M_C1]!, m[o + M_S2]!, m[o + M_C2]!, m[o + M_A2]!);
}

/** `momentImprecise` of a block held in locals (the backfill kernels keep theirs there). */
export function impreciseMoments(n: number, k: number, s1: number, c1: number, s2: number, c2: number, a2: number): boolean {
  if (n === 0) return false;
  const meanY = (s1 + c1) / n;
  const meanSq = (s2 + c2) / n;
  if (meanSq <= 0) return false;
  const variance = meanSq - meanY * meanY;
  const mean = k + meanY;
  return 4096 * variance < meanSq || a2 > 1_048_576 * n * (mean * mean + Math.max(variance, 0));
}

/**
 * Merge block `b` (at p) into block `a` (at o): the moments of both sets of values together
 * (Chan, Golub & LeVeque's pairwise update). The result is centred on the joint mean.
 */
export function momentMerge(a: Float64Array, o: number, b: Float64Array, p: number): void {
  const na = a[o + M_N]!;
  const nb = b[p + M_N]!;
  if (nb === 0) return;
  if (na === 0) {
    momentCopy(b, p, a, o);
    return;
  }
  const sa = a[o + M_S1]! + a[o + M_C1]!;
  const sb = b[p + M_S1]! + b[p + M_C1]!;
  const meanA = a[o + M_K]! + sa / na;
  const meanB = b[p + M_K]! + sb / nb;
  const m2a = Math.max(0, a[o + M_S2]! + a[o + M_C2]! - (sa * sa) / na);
  const m2b = Math.max(0, b[p + M_S2]! + b[p + M_C2]! - (sb * sb) / nb);
  const n = na + nb;
  const delta = meanB - meanA;
  const mean = meanA + (delta * nb) / n;
  const m2 = m2a + m2b + (delta * delta * na * nb) / n;
  a[o + M_N] = n;
  a[o + M_K] = mean;
  a[o + M_S1] = a[o + M_C1] = a[o + M_C2] = 0;
  a[o + M_S2] = a[o + M_A2] = m2;
}

export type MomentKind = 'count' | 'sum' | 'mean' | 'variance' | 'std';

/** A feature's value from the block; NaN for null. */
export function momentValue(kind: MomentKind, m: Float64Array, o: number): number {
  const n = m[o + M_N]!;
  if (kind === 'count') return n;
  if (n === 0) return kind === 'sum' ? 0 : NaN;
  const k = m[o + M_K]!;
  const sy = m[o + M_S1]! + m[o + M_C1]!;
  if (kind === 'sum') return n * k + sy;
  if (kind === 'mean') return k + sy / n;
  let variance = 0;
  if (n > 1) {
    const syy = m[o + M_S2]! + m[o + M_C2]!;
    variance = (syy - (sy * sy) / n) / n;
    // Below the rounding noise of the sums themselves the values are constant to machine
    // precision: report 0 rather than noise.
    if (variance <= 8 * EPSILON * (syy / n)) variance = 0;
  }
  return kind === 'variance' ? variance : Math.sqrt(variance);
}
