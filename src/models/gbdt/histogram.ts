/**
 * Gradient histograms (Chen & Guestrin 2016, §3.3 "hist"; Ke et al. 2017, §2): for every feature
 * and bin, the sums of gradients and hessians of a node's rows. Layout: feature j's bin b holds
 * (g, h) at [j * BIN_SLOTS + 2b, +1]; bin 255 is the missing-value bin.
 */
export const BIN_SLOTS = 512;

export function histogramLength(features: number): number {
  return features * BIN_SLOTS;
}

/** Rows gathered per step: their gradients and codes then sit in L1 while the histogram is summed. */
const CHUNK = 256;

/** This thread's gather buffers (each worker has its own copy of this module). */
let chunkGh = new Float64Array(2 * CHUNK);
let chunkCodes = new Uint8Array(0);
let chunkWords = new Uint32Array(0);

/**
 * Sums rows `indices[start..end)` into `out` at `offset` for the `selected` features (all of
 * them when `selectedCount === features`). The hot loop of training. A node's rows are spread
 * over the whole data set below the root, so each step first gathers the gradients and codes of
 * the next CHUNK rows into small contiguous buffers (a short loop whose cache misses overlap),
 * then adds them to the bins from there, four codes per 32-bit word. Every bin still receives its
 * rows in row order, so the sums are exactly those of a plain row-by-row pass.
 */
export function buildHistogram(
  codes: Uint8Array,
  features: number,
  gh: Float64Array,
  indices: Uint32Array,
  start: number,
  end: number,
  selected: Int32Array,
  selectedCount: number,
  out: Float64Array,
  offset: number,
): void {
  const all = selectedCount === features;
  if (all) out.fill(0, offset, offset + features * BIN_SLOTS);
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
  const codeWords = (features & 3) === 0 && (codes.byteOffset & 3) === 0 ? new Uint32Array(codes.buffer, codes.byteOffset, codes.length >>> 2) : undefined;
  for (let from = start; from < end; from += CHUNK) {
    const n = Math.min(CHUNK, end - from);
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
    if (all) sumAll(cgh, ccodes, cwords, n, features, words, out, offset);
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
}

/** Adds `n` gathered rows to every feature's bins, reading four codes per word. */
function sumAll(cgh: Float64Array, ccodes: Uint8Array, cwords: Uint32Array, n: number, features: number, words: number, out: Float64Array, offset: number): void {
  const full = features >>> 2;
  for (let q = 0; q < n; q++) {
    const g = cgh[2 * q] as number;
    const h = cgh[2 * q + 1] as number;
    const o = q * words;
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
