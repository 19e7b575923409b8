/**
 * Gradient histograms (Chen & Guestrin 2016, §3.3 "hist"; Ke et al. 2017, §2): for every feature
 * and bin, the sums of gradients and hessians of a node's rows. Layout: feature j's bin b holds
 * (g, h) at [j * BIN_SLOTS + 2b, +1]; bin 255 is the missing-value bin.
 */
export const BIN_SLOTS = 512;

export function histogramLength(features: number): number {
  return features * BIN_SLOTS;
}

/**
 * Sums rows `indices[start..end)` into `out` at `offset` for the `selected` features (all of
 * them when `selectedCount === features`). The hot loop of training: one pass over the rows,
 * reading each row's codes from one cache line, features unrolled by four.
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
  if (selectedCount === features) {
    out.fill(0, offset, offset + features * BIN_SLOTS);
    const f4 = features - (features & 3);
    for (let i = start; i < end; i++) {
      const r = indices[i] as number;
      const g = gh[2 * r] as number;
      const h = gh[2 * r + 1] as number;
      const o = r * features;
      let j = 0;
      for (; j < f4; j += 4) {
        const p = o + j;
        const base = offset + j * BIN_SLOTS;
        let k = base + ((codes[p] as number) << 1);
        out[k] = (out[k] as number) + g;
        out[k + 1] = (out[k + 1] as number) + h;
        k = base + BIN_SLOTS + ((codes[p + 1] as number) << 1);
        out[k] = (out[k] as number) + g;
        out[k + 1] = (out[k + 1] as number) + h;
        k = base + 2 * BIN_SLOTS + ((codes[p + 2] as number) << 1);
        out[k] = (out[k] as number) + g;
        out[k + 1] = (out[k + 1] as number) + h;
        k = base + 3 * BIN_SLOTS + ((codes[p + 3] as number) << 1);
        out[k] = (out[k] as number) + g;
        out[k + 1] = (out[k + 1] as number) + h;
      }
      for (; j < features; j++) {
        const k = offset + j * BIN_SLOTS + ((codes[o + j] as number) << 1);
        out[k] = (out[k] as number) + g;
        out[k + 1] = (out[k + 1] as number) + h;
      }
    }
    return;
  }
  for (let s = 0; s < selectedCount; s++) {
    const at = offset + (selected[s] as number) * BIN_SLOTS;
    out.fill(0, at, at + BIN_SLOTS);
  }
  for (let i = start; i < end; i++) {
    const r = indices[i] as number;
    const g = gh[2 * r] as number;
    const h = gh[2 * r + 1] as number;
    const o = r * features;
    for (let s = 0; s < selectedCount; s++) {
      const j = selected[s] as number;
      const k = offset + j * BIN_SLOTS + ((codes[o + j] as number) << 1);
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
