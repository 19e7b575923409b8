/**
 * Quantized gradients (Shi et al. 2022, "Quantized Training of Gradient Boosting Decision
 * Trees"; LightGBM's `use_quantized_grad`). Each row's gradient and hessian are rounded
 * stochastically to whole multiples of a step, gq = ⌊g / gStep + u⌋ with u uniform in [0, 1),
 * so the rounding is unbiased. A histogram bin then holds one number, Σgq · scale + Σhq: one
 * add per feature and row instead of two, in half the memory. Every sum is a whole number below
 * 2^53, so it is exact in double precision, whatever the order of the additions; `scale` is a
 * power of two above any node's Σhq, so the two sums unpack exactly.
 *
 * The steps grow with the rows, since n rows times the largest packed value must stay below
 * 2^53: at a million rows g is rounded to 1/64 of the round's largest |g| and h to 1/32 of its
 * largest h; at the limit, 8.4 million rows, to 1/8 and 1/4 (LightGBM's default is 1/2 for g).
 */
import { TandemError } from '../../errors.js';
import type { Work } from './work.js';

/**
 * Slots of `work.quant` (this module): `mode` is QUANT_OFF, QUANT_INLINE (the gradient tasks
 * round with the steps set) or QUANT_MEASURE (they record each block's largest |g| and h in
 * `extremes`, and quantize tasks round once the caller has set the steps); histograms are packed
 * whenever it is not QUANT_OFF. Quantized logloss also keeps each row's probability in
 * `work.margin` and 1 minus it in `work.complement` (`withLeaf`).
 */
export const QUANT = { mode: 0, scale: 1, gStep: 2, hStep: 3, seed: 4, gBits: 5, hBits: 6, length: 7 } as const;
export const QUANT_OFF = 0;
export const QUANT_INLINE = 1;
export const QUANT_MEASURE = 2;

export interface Quantization {
  readonly scale: number;
  readonly gBits: number;
  readonly hBits: number;
}

/** Most training rows: beyond them the steps would be coarser than 1/8 of |g| and 1/4 of h. */
export const QUANTIZED_MAX_ROWS = 2 ** 23 - 1;

const MAX_BITS = 14;

export function quantization(rows: number): Quantization {
  if (rows > QUANTIZED_MAX_ROWS) {
    throw new TandemError(
      'TANDEM_INVALID_PARAMETER',
      `gbdt: quantizeGradients supports at most ${QUANTIZED_MAX_ROWS.toLocaleString('en-US')} training rows (the packed sums must stay exact in 53 bits), got ${rows.toLocaleString('en-US')}; train without it`,
      { details: { model: 'gbdt', parameter: 'quantizeGradients', value: true } },
    );
  }
  const rowBits = Math.ceil(Math.log2(rows + 1));
  // n · 2^gBits · scale < 2^53 with scale = 2^(rowBits + hBits + 1) > n · 2^hBits; and the
  // rounded values, up to 2^bits + 1 in size, must fit the records' int16.
  const budget = 53 - 2 * rowBits - 2;
  const hBits = Math.min(MAX_BITS, Math.floor(budget / 2));
  const gBits = Math.min(MAX_BITS, budget - hBits);
  return { scale: 2 ** (rowBits + hBits + 1), gBits, hBits };
}

/** Packs the fit's histograms; `bounds`, the largest |g| and h any row can have, when the objective knows them. */
export function startQuantizing(work: Work, q: Quantization, bounds: { readonly g: number; readonly h: number } | undefined): void {
  const quant = work.quant;
  quant[QUANT.scale] = q.scale;
  quant[QUANT.gBits] = q.gBits;
  quant[QUANT.hBits] = q.hBits;
  quant[QUANT.mode] = bounds === undefined ? QUANT_MEASURE : QUANT_INLINE;
  if (bounds !== undefined) setSteps(work, bounds.g, bounds.h);
}

/** The steps of the rounding, from the largest |g| and h to round. */
export function setSteps(work: Work, gMax: number, hMax: number): void {
  const quant = work.quant;
  quant[QUANT.gStep] = gMax > 0 ? gMax / 2 ** (quant[QUANT.gBits] as number) : 1;
  quant[QUANT.hStep] = hMax > 0 ? hMax / 2 ** (quant[QUANT.hBits] as number) : 1;
}

/** The packed histograms' unpacking constants, or undefined when gradients are not quantized. */
export function packing(work: Work): { readonly scale: number; readonly gStep: number; readonly hStep: number } | undefined {
  const quant = work.quant;
  if (quant[QUANT.mode] === QUANT_OFF) return undefined;
  return { scale: quant[QUANT.scale] as number, gStep: quant[QUANT.gStep] as number, hStep: quant[QUANT.hStep] as number };
}

/**
 * The offsets of row `r`'s rounding, u in [0, 1) for g (`offsetG`) and h (`offsetH`): the row's
 * point of the R2 low-discrepancy sequence (Roberts 2018: the fractional parts of r·α1 and r·α2,
 * α from the plastic number, here in 32-bit fixed point) shifted by the pass's seed.
 * Equidistributed over the rows, so the rounding errors of a node's rows cancel at least as well
 * as with independent draws, for one multiplication; and a function of the row number, so no
 * thread count changes them. (The multipliers are literals: as module constants above 2^31,
 * V8 loaded and converted them on every call, which cost 3 ns a row.)
 */
export function offsetG(r: number, seed: number): number {
  return ((Math.imul(r, 0xc13fa9a9) + seed) >>> 0) / 4_294_967_296;
}

export function offsetH(r: number, seed: number): number {
  return ((Math.imul(r, 0x91e10da5) + seed) >>> 0) / 4_294_967_296;
}

/**
 * Rounds row r's (g, h) to whole steps (1/step given as `gInverse`, `hInverse`) into its record's
 * int16 pair at `pairs[at]`, `+ 1`, down or up by the row's offsets.
 */
export function roundPair(pairs: Int16Array, at: number, r: number, g: number, h: number, gInverse: number, hInverse: number, seed: number): void {
  pairs[at] = Math.floor(g * gInverse + offsetG(r, seed));
  pairs[at + 1] = Math.floor(h * hInverse + offsetH(r, seed));
}

/** Rounds rows start..end's unrounded (g, h) in `exact` into their records, stochastically. */
export function quantizeRows(work: Work, start: number, end: number): void {
  const { exact, pairs, words, quant } = work;
  const gInverse = 1 / (quant[QUANT.gStep] as number);
  const hInverse = 1 / (quant[QUANT.hStep] as number);
  const seed = quant[QUANT.seed] as number;
  for (let r = start; r < end; r++) roundPair(pairs, 2 * r * words, r, exact[2 * r] as number, exact[2 * r + 1] as number, gInverse, hInverse, seed);
}

/** The largest |g| and h of rows start..end of `exact`, for a round whose steps are not known before. */
export function extremes(exact: Float32Array, start: number, end: number, out: Float64Array, at: number): void {
  let g = 0;
  let h = 0;
  for (let r = start; r < end; r++) {
    g = Math.max(g, Math.abs(exact[2 * r] as number));
    h = Math.max(h, exact[2 * r + 1] as number);
  }
  out[at] = g;
  out[at + 1] = h;
}

/**
 * e^v for a leaf value v, clamped to (e^−700, e^700) so the update below stays finite: the
 * factor by which the leaf multiplies the odds p / (1 − p) of its rows.
 */
export function oddsFactor(v: number): number {
  return Math.exp(Math.min(700, Math.max(-700, v)));
}

/**
 * A leaf's value v applied to a row's probability p = σ(m) and its complement q = 1 − p = σ(−m),
 * kept apart so both stay precise near 0: the odds p / q are multiplied by e = e^v, so p' =
 * p·e / (p·e + q) and q' = q / (p·e + q) are σ(m + v) and σ(−m − v). A few multiplications and
 * a division where σ(m + v) needs an exp per row; within a few units in the last place, far below
 * the rounding steps of quantized training. Writes p' to `p[r]` and q' to `q[r]`.
 */
export function withLeaf(p: Float64Array, q: Float64Array, r: number, e: number): void {
  const odds = (p[r] as number) * e;
  const total = odds + (q[r] as number);
  p[r] = odds / total;
  q[r] = (q[r] as number) / total;
}
