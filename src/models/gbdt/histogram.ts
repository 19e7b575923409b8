/**
 * Gradient histograms (Chen & Guestrin 2016, §3.3 "hist"; Ke et al. 2017, §2): for every feature
 * and bin, the sums of gradients and hessians of a node's rows. Layout: feature j's bin b holds
 * (g, h) at [j * BIN_SLOTS + 2b, +1]; bin 255 is the missing-value bin.
 */
import type { Work } from './work.js';

export const BIN_SLOTS = 512;

export function histogramLength(features: number): number {
  return features * BIN_SLOTS;
}

/** Word reads take code j of a row from bits 8j..8j+7 only on little-endian machines. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Rows gathered per step: their gradients and codes then sit in L1 while the histogram is summed. */
const CHUNK = 256;

/** This thread's gather buffers (each worker has its own copy of this module). */
const chunkGh = new Float64Array(2 * CHUNK);
let chunkCodes = new Uint8Array(0);
let chunkWords = new Uint32Array(0);
/** Keeps the touch-ahead loads observable. */
export let sink = 0;

/**
 * Sums rows `indices[start..end)` into `work.partials` at `offset` for the selected features
 * (all of them when `selectedCount === features`). The hot loop of training. A node's rows are
 * spread over the whole data set below the root, so each step first gathers the gradients and
 * codes of the next CHUNK rows into small contiguous buffers (a short loop whose cache misses
 * overlap), then adds them to the bins from there, four codes per 32-bit word. Every bin still
 * receives its rows in row order, so the sums are exactly those of a plain row-by-row pass.
 */
export function buildHistogram(work: Work, start: number, end: number, selectedCount: number, offset: number): void {
  const { features, gh, indices, selected, codes, partials: out } = work;
  const all = selectedCount === features && LITTLE_ENDIAN;
  if (selectedCount === features) out.fill(0, offset, offset + features * BIN_SLOTS);
  else {
    for (let s = 0; s < selectedCount; s++) {
      const at = offset + (selected[s] as number) * BIN_SLOTS;
      out.fill(0, at, at + BIN_SLOTS);
    }
  }
  // Gathered rows are padded to whole 32-bit words.
  const words = (features + 3) >>> 2;
  const stride = words * 4;
  if (chunkCodes.length < CHUNK * stride) {
    chunkWords = new Uint32Array(CHUNK * words);
    chunkCodes = new Uint8Array(chunkWords.buffer);
  }
  const cgh = chunkGh;
  const ccodes = chunkCodes;
  const cwords = chunkWords;
  // Rows of a multiple of four codes are copied a word at a time.
  const codeWords = (features & 3) === 0 && (codes.byteOffset & 3) === 0 ? new Uint32Array(codes.buffer, codes.byteOffset, codes.length >>> 2) : undefined;
  // Rows far apart (deep nodes) miss the cache and the TLB one by one in the gather, which also
  // stores; a bare loop of loads over the next chunk first overlaps those misses (measured 2×
  // faster below one row in ten; slower on denser nodes).
  const sparse = end > start && 8 * (end - start) < (indices[end - 1] as number) - (indices[start] as number);
  let touched = 0;
  for (let from = start; from < end; from += CHUNK) {
    const n = Math.min(CHUNK, end - from);
    const first = indices[from] as number;
    if (sparse) {
      for (let i = from === start ? from : from + CHUNK, e = Math.min(end, from + 2 * CHUNK); i < e; i++) {
        const r = indices[i] as number;
        touched += (gh[2 * r] as number) + (codes[r * features] as number);
      }
    }
    if (all && codeWords !== undefined && (indices[from + n - 1] as number) - first === n - 1) {
      // Consecutive rows (the root without subsampling): summed where they are. A node's rows
      // are ascending, so first and last this far apart means every row between them.
      sumAll(gh, 2 * first, codeWords, codes, first * words, n, features, words, out, offset);
      continue;
    }
    if (codeWords !== undefined) {
      for (let q = 0, w = 0; q < n; q++) {
        const r = indices[from + q] as number;
        cgh[2 * q] = gh[2 * r] as number;
        cgh[2 * q + 1] = gh[2 * r + 1] as number;
        for (let p = r * words, e = p + words; p < e; p++, w++) cwords[w] = codeWords[p] as number;
      }
    } else {
      for (let q = 0; q < n; q++) {
        const r = indices[from + q] as number;
        cgh[2 * q] = gh[2 * r] as number;
        cgh[2 * q + 1] = gh[2 * r + 1] as number;
        for (let j = 0, p = r * features, d = q * stride; j < features; j++) ccodes[d + j] = codes[p + j] as number;
      }
    }
    if (all) sumAll(cgh, 0, cwords, ccodes, 0, n, features, words, out, offset);
    else {
      for (let q = 0; q < n; q++) {
        const g = cgh[2 * q] as number;
        const h = cgh[2 * q + 1] as number;
        const o = q * stride;
        for (let s = 0; s < selectedCount; s++) {
          const j = selected[s] as number;
          const k = offset + j * BIN_SLOTS + ((ccodes[o + j] as number) << 1);
          out[k] = (out[k] as number) + g;
          out[k + 1] = (out[k + 1] as number) + h;
        }
      }
    }
  }
  sink = touched;
}

/**
 * Adds `n` consecutive rows to every feature's bins, reading four codes per word: pairs from
 * `cgh[ghAt..]`, codes from `cwords[wordAt..]` (`words` per row; `ccodes` is the same memory).
 */
function sumAll(
  cgh: Float64Array,
  ghAt: number,
  cwords: Uint32Array,
  ccodes: Uint8Array,
  wordAt: number,
  n: number,
  features: number,
  words: number,
  out: Float64Array,
  offset: number,
): void {
  const full = features >>> 2;
  for (let q = 0; q < n; q++) {
    const g = cgh[ghAt + 2 * q] as number;
    const h = cgh[ghAt + 2 * q + 1] as number;
    const o = wordAt + q * words;
    let base = offset;
    for (let w = 0; w < full; w++, base += 4 * BIN_SLOTS) {
      const word = cwords[o + w] as number;
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
    for (let j = 4 * full; j < features; j++, base += BIN_SLOTS) {
      const k = base + ((ccodes[4 * o + j] as number) << 1);
      out[k] = (out[k] as number) + g;
      out[k + 1] = (out[k + 1] as number) + h;
    }
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
): void {
  for (let s = 0; s < selectedCount; s++) {
    const at = (selected[s] as number) * BIN_SLOTS;
    for (let k = at; k < at + BIN_SLOTS; k++) out[k] = (parent[k] as number) - (built[k] as number);
  }
}
