/**
 * Gradient histograms (Chen & Guestrin 2016, §3.3 "hist"; Ke et al. 2017, §2): for every feature
 * and bin, the sums of gradients and hessians of a node's rows. Layout: feature j's bin b holds
 * (g, h) at [j * BIN_SLOTS + 2b, +1]; bin 255 is the missing-value bin. Quantized training packs
 * both sums into one number at [j * BIN_SLOTS + b] (quantize.ts; `unpackHistogram`).
 */
import { QUANT, QUANT_OFF } from './quantize.js';
import type { Work } from './work.js';

export const BIN_SLOTS = 512;
/** Slots a feature uses: all of BIN_SLOTS for (g, h) pairs, the first half when packed. */
export const PACKED_SLOTS = 256;

export function histogramLength(features: number): number {
  return features * BIN_SLOTS;
}

/** Word reads take code j of a row from bits 8j..8j+7 only on little-endian machines. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Rows per step: the rows of the next step are touched while this one is summed. */
const CHUNK = 256;

/** Keeps the touch-ahead loads observable. */
export let sink = 0;

/**
 * Sums rows `indices[start..end)` into `work.partials` at `offset` for the selected features
 * (all of them when `selectedCount === features`). The hot loop of training. Each row is one
 * record (work.ts): its (g, h) and then its codes, read four to a word when they fill whole
 * words; a run of consecutive rows (the root) skips the indices. Below the root a node's rows
 * are spread over the whole data set, so on sparse nodes a bare loop of loads first touches the
 * next CHUNK rows: their cache and TLB misses then overlap instead of stalling the sums one by
 * one. Every bin receives its rows in row order, so the sums are exactly those of a plain
 * row-by-row pass.
 */
export function buildHistogram(work: Work, start: number, end: number, selectedCount: number, offset: number): void {
  const { features, gh, pairs, indices, selected, codes, codeWords, words, header, partials: out } = work;
  const quantized = work.quant[QUANT.mode] !== QUANT_OFF;
  const scale = work.quant[QUANT.scale] as number;
  if (selectedCount === features && !quantized) out.fill(0, offset, offset + features * BIN_SLOTS);
  else {
    const width = quantized ? PACKED_SLOTS : BIN_SLOTS;
    for (let s = 0; s < selectedCount; s++) {
      const at = offset + (selected[s] as number) * BIN_SLOTS;
      out.fill(0, at, at + width);
    }
  }
  // Whole words of codes per row: every feature, a multiple of four, read as words.
  const wordPath = selectedCount === features && (features & 3) === 0 && LITTLE_ENDIAN;
  // Measured on the benchmark's nodes: touching ahead pays below one row in eight, and costs
  // more than it saves on denser nodes, whose rows the hardware prefetcher already follows.
  const sparse = end > start && 8 * (end - start) < (indices[end - 1] as number) - (indices[start] as number);
  let touched = 0;
  for (let from = start; from < end; from += CHUNK) {
    const n = Math.min(CHUNK, end - from);
    const first = indices[from] as number;
    if (wordPath && (indices[from + n - 1] as number) - first === n - 1) {
      // A node's rows are ascending, so first and last this far apart means every row between.
      if (quantized) sumRunPacked(pairs, codeWords, first, n, words, out, offset, scale);
      else sumRun(gh, codeWords, first, n, words, out, offset);
      continue;
    }
    if (sparse) {
      for (let i = from === start ? from : from + CHUNK, e = Math.min(end, from + 2 * CHUNK); i < e; i++) {
        touched = (touched + (codeWords[(indices[i] as number) * words] as number)) | 0;
      }
    }
    if (wordPath) {
      if (quantized) sumRowsPacked(pairs, codeWords, indices, from, n, words, out, offset, scale);
      else sumRows(gh, codeWords, indices, from, n, words, out, offset);
    } else if (quantized) {
      for (let i = from, e = from + n; i < e; i++) {
        const r = indices[i] as number;
        const v = (pairs[2 * r * words] as number) * scale + (pairs[2 * r * words + 1] as number);
        const o = 4 * (r * words + header);
        for (let s = 0; s < selectedCount; s++) {
          const j = selected[s] as number;
          const k = offset + j * BIN_SLOTS + (codes[o + j] as number);
          out[k] = (out[k] as number) + v;
        }
      }
    } else {
      for (let i = from, e = from + n; i < e; i++) {
        const r = indices[i] as number;
        const g = gh[r * words] as number;
        const h = gh[r * words + 1] as number;
        const o = 4 * (r * words + header);
        for (let s = 0; s < selectedCount; s++) {
          const j = selected[s] as number;
          const k = offset + j * BIN_SLOTS + ((codes[o + j] as number) << 1);
          out[k] = (out[k] as number) + g;
          out[k + 1] = (out[k + 1] as number) + h;
        }
      }
    }
  }
  sink = touched;
}

/** Adds rows first..first + n of a quantized fit to every feature's bins (packed). */
function sumRunPacked(pairs: Int16Array, codeWords: Uint32Array, first: number, n: number, words: number, out: Float64Array, offset: number, scale: number): void {
  for (let r = first, e = first + n; r < e; r++) addRowPacked(pairs, codeWords, r * words, words, out, offset, scale);
}

/** Adds rows `indices[from..from + n)` of a quantized fit to every feature's bins (packed). */
function sumRowsPacked(pairs: Int16Array, codeWords: Uint32Array, indices: Uint32Array, from: number, n: number, words: number, out: Float64Array, offset: number, scale: number): void {
  for (let i = from, e = from + n; i < e; i++) addRowPacked(pairs, codeWords, (indices[i] as number) * words, words, out, offset, scale);
}

/**
 * Adds the quantized record at word `at` — its (gq, hq) as two int16 in one word, then its codes
 * four to a word — to each code's bin as the one number gq·scale + hq (quantize.ts).
 */
function addRowPacked(pairs: Int16Array, codeWords: Uint32Array, at: number, words: number, out: Float64Array, offset: number, scale: number): void {
  const v = (pairs[2 * at] as number) * scale + (pairs[2 * at + 1] as number);
  let base = offset;
  for (let w = at + 1, e = at + words; w < e; w++, base += 4 * BIN_SLOTS) {
    const word = codeWords[w] as number;
    let k = base + (word & 255);
    out[k] = (out[k] as number) + v;
    k = base + BIN_SLOTS + ((word >>> 8) & 255);
    out[k] = (out[k] as number) + v;
    k = base + 2 * BIN_SLOTS + ((word >>> 16) & 255);
    out[k] = (out[k] as number) + v;
    k = base + 3 * BIN_SLOTS + (word >>> 24);
    out[k] = (out[k] as number) + v;
  }
}

/** Adds rows first..first + n to every feature's bins; each record is `words` words. */
function sumRun(gh: Float32Array, codeWords: Uint32Array, first: number, n: number, words: number, out: Float64Array, offset: number): void {
  for (let r = first, e = first + n; r < e; r++) addRow(gh, codeWords, r * words, words, out, offset);
}

/** Adds rows `indices[from..from + n)` to every feature's bins. */
function sumRows(gh: Float32Array, codeWords: Uint32Array, indices: Uint32Array, from: number, n: number, words: number, out: Float64Array, offset: number): void {
  for (let i = from, e = from + n; i < e; i++) addRow(gh, codeWords, (indices[i] as number) * words, words, out, offset);
}

/** Adds the record at word `at` — its (g, h), then its codes four to a word — to the bin of each code. */
function addRow(gh: Float32Array, codeWords: Uint32Array, at: number, words: number, out: Float64Array, offset: number): void {
  const g = gh[at] as number;
  const h = gh[at + 1] as number;
  let base = offset;
  for (let w = at + 2, e = at + words; w < e; w++, base += 4 * BIN_SLOTS) {
    const word = codeWords[w] as number;
    let k = base + ((word & 255) << 1);
    out[k] = (out[k] as number) + g;
    out[k + 1] = (out[k + 1] as number) + h;
    k = base + BIN_SLOTS + ((word >>> 7) & 510);
    out[k] = (out[k] as number) + g;
    out[k + 1] = (out[k + 1] as number) + h;
    k = base + 2 * BIN_SLOTS + ((word >>> 15) & 510);
    out[k] = (out[k] as number) + g;
    out[k + 1] = (out[k + 1] as number) + h;
    k = base + 3 * BIN_SLOTS + ((word >>> 23) & 510);
    out[k] = (out[k] as number) + g;
    out[k + 1] = (out[k + 1] as number) + h;
  }
}

/**
 * The histogram subtraction trick (Ke et al. 2017, §2; also xgboost's hist): a sibling's
 * histogram is its parent's minus the one built from the smaller child's rows.
 */
export function subtractHistogram(
  parent: Float64Array,
  built: Float64Array,
  out: Float64Array,
  selected: Int32Array,
  selectedCount: number,
  width = BIN_SLOTS,
): void {
  for (let s = 0; s < selectedCount; s++) {
    const at = (selected[s] as number) * BIN_SLOTS;
    for (let k = at; k < at + width; k++) out[k] = (parent[k] as number) - (built[k] as number);
  }
}

/**
 * Unpacks a packed histogram (bin b of feature j at j * BIN_SLOTS + b, holding gq·scale + hq)
 * into (g, h) pairs at j * BIN_SLOTS + 2b, +1.
 */
export function unpackHistogram(packed: Float64Array, out: Float64Array, selected: Int32Array, selectedCount: number, scale: number, gStep: number, hStep: number): void {
  for (let s = 0; s < selectedCount; s++) {
    const at = (selected[s] as number) * BIN_SLOTS;
    for (let b = 0; b < PACKED_SLOTS; b++) {
      const v = packed[at + b] as number;
      const gq = Math.floor(v / scale);
      out[at + 2 * b] = gq * gStep;
      out[at + 2 * b + 1] = (v - gq * scale) * hStep;
    }
  }
}
