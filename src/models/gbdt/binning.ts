/**
 * Quantile binning (Chen & Guestrin 2016, §3.3; Ke et al. 2017, §2): each feature's values map
 * to at most 255 ordered bins, so a split only needs to try bin boundaries and a histogram of
 * gradient sums per bin replaces sorting. Code 255 is the missing-value bin.
 */
export const MISSING_BIN = 255;

/** Values sampled per feature to place the bin edges (LightGBM's bin_construct_sample_cnt). */
const EDGE_SAMPLE = 200_000;

/**
 * Upper bounds of the bins of one feature, ascending: bin b holds values x with
 * bounds[b − 1] < x ≤ bounds[b]; the last bin (index bounds.length) holds everything above.
 * Bounds sit halfway between neighbouring sampled values, so a threshold never equals a value
 * seen in training.
 */
export function binBounds(column: Float64Array, maxBins: number): Float64Array {
  const sample = sampleValues(column);
  if (sample.length === 0) return new Float64Array(0);
  sample.sort();
  // Distinct values and how many samples hold each.
  const distinct = new Float64Array(sample.length);
  const counts = new Int32Array(sample.length);
  let distinctCount = 0;
  for (let i = 0; i < sample.length; i++) {
    const v = sample[i] as number;
    if (distinctCount > 0 && distinct[distinctCount - 1] === v) counts[distinctCount - 1] = (counts[distinctCount - 1] as number) + 1;
    else {
      distinct[distinctCount] = v;
      counts[distinctCount++] = 1;
    }
  }
  const bounds: number[] = [];
  if (distinctCount <= maxBins) {
    for (let k = 0; k + 1 < distinctCount; k++) bounds.push(between(distinct[k] as number, distinct[k + 1] as number));
    return Float64Array.from(bounds);
  }
  // Equal-frequency cuts: close a bin once it holds its share of the remaining samples, so one
  // very frequent value (a spike at 0) does not swallow the bins around it.
  let remaining = sample.length;
  let binsLeft = maxBins;
  let inBin = 0;
  for (let k = 0; k + 1 < distinctCount && binsLeft > 1; k++) {
    inBin += counts[k] as number;
    const target = remaining / binsLeft;
    const next = counts[k + 1] as number;
    if (inBin >= target || inBin + next / 2 > target * 1.5) {
      bounds.push(between(distinct[k] as number, distinct[k + 1] as number));
      remaining -= inBin;
      binsLeft--;
      inBin = 0;
    }
  }
  return Float64Array.from(bounds);
}

/** The bin of `x`: the first bound ≥ x (binary search), or the last bin; NaN → MISSING_BIN. */
export function binOf(bounds: Float64Array, x: number): number {
  if (x !== x) return MISSING_BIN;
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= (bounds[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Codes rows start..end (all rows by default) into `out`, column-major (`out[j * rows + row]`):
 * sequential reads and writes per feature.
 */
export function binColumns(
  columns: readonly Float64Array[],
  bounds: readonly Float64Array[],
  rows: number,
  out: Uint8Array,
  start = 0,
  end = rows,
): void {
  columns.forEach((column, j) => {
    // Bounds padded to 255 with +Infinity: eight fixed halvings find the bin of any value.
    const pad = new Float64Array(256).fill(Number.POSITIVE_INFINITY);
    pad.set(bounds[j] as Float64Array);
    const at = j * rows;
    for (let i = start; i < end; i++) {
      const x = column[i] as number;
      // Branch-free: a comparison's outcome is added as a number (random data mispredicts branches).
      let b = 0;
      b += Number(x > (pad[b + 127] as number)) << 7;
      b += Number(x > (pad[b + 63] as number)) << 6;
      b += Number(x > (pad[b + 31] as number)) << 5;
      b += Number(x > (pad[b + 15] as number)) << 4;
      b += Number(x > (pad[b + 7] as number)) << 3;
      b += Number(x > (pad[b + 3] as number)) << 2;
      b += Number(x > (pad[b + 1] as number)) << 1;
      b += Number(x > (pad[b] as number));
      // NaN compares false everywhere (b = 0); it takes the missing bin.
      out[at + i] = x !== x ? MISSING_BIN : b;
    }
  });
}

/**
 * The same codes row-major (`out[row * stride + offset + j]`) for rows start..end (all by
 * default): a histogram pass reads one row's features from one cache line instead of one line
 * per feature.
 */
export function rowMajor(columns: Uint8Array, features: number, rows: number, out: Uint8Array, stride: number, offset: number, start = 0, end = rows): void {
  for (let j = 0; j < features; j++) {
    for (let i = start, from = j * rows + start, to = start * stride + offset + j; i < end; i++, from++, to += stride) {
      out[to] = columns[from] as number;
    }
  }
}

/** Non-missing values, every k-th one when there are more than EDGE_SAMPLE (deterministic). */
function sampleValues(column: Float64Array): Float64Array {
  let present = 0;
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) present++;
  const step = Math.max(1, Math.ceil(present / EDGE_SAMPLE));
  const out = new Float64Array(Math.ceil(present / step));
  let seen = 0;
  let n = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i] as number;
    if (v !== v) continue;
    if (seen % step === 0) out[n++] = v;
    seen++;
  }
  return out.subarray(0, n);
}

/** A bound strictly between a < b, halfway when the doubles allow it. */
function between(a: number, b: number): number {
  const mid = a + (b - a) / 2;
  return mid < b && Number.isFinite(mid) ? mid : a;
}
