import type { NumericProfile } from '../types.js';
import { binCounts } from './histogram.js';
import { DEFAULT_BINS, DEFAULT_SAMPLE_SIZE, DISTINCT_CAP, positiveOption, type ProfileOptions } from './options.js';
import { quantileSorted } from './quantile.js';

/**
 * The profile of a numeric column. NaN and ±Infinity count as missing (JSON holds neither).
 * Histogram edges are the reference's deciles (equal-frequency bins, the binning PSI is usually
 * given), with repeated edges merged; a constant column gets the single bin [v, v]. The sample
 * is evenly spaced order statistics, the values at ranks ⌊(i + ½) n / k⌋: deterministic, and its
 * empirical CDF is within 1/k of the column's everywhere.
 */
export function profileNumeric(name: string, values: ArrayLike<number>, options: ProfileOptions = {}): NumericProfile {
  const sampleSize = positiveOption('profileColumn', 'sampleSize', options.sampleSize, DEFAULT_SAMPLE_SIZE);
  const bins = positiveOption('profileColumn', 'bins', options.bins, DEFAULT_BINS);
  const sorted = finiteSorted(values);
  const n = sorted.length;
  const missing = values.length - n;
  if (n === 0) {
    return {
      kind: 'number', name, count: values.length, missing, min: null, max: null, mean: null, std: null,
      distinct: 0, quantiles: [], histogram: { edges: [], counts: [] }, sample: [],
    };
  }
  const { mean, std } = moments(sorted);
  const quantiles = Array.from({ length: 101 }, (_, i) => quantileSorted(sorted, i / 100));
  const edges = binEdges(sorted, bins);
  return {
    kind: 'number',
    name,
    count: values.length,
    missing,
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    mean,
    std,
    distinct: distinctSorted(sorted),
    quantiles,
    histogram: { edges, counts: binCounts(edges, sorted) },
    sample: sampleSorted(sorted, sampleSize),
  };
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  // + 0 turns −0 into 0, which JSON would do anyway.
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[k++] = (values[i] as number) + 0;
  return out.sort();
}

/**
 * Mean and population std (numpy's two-pass np.mean, np.std) in units of a power of two at least
 * as large as every |value|: dividing by it is exact, and neither the sum nor the squares can
 * overflow for values near the largest double. The sum is Neumaier-compensated.
 */
function moments(sorted: Float64Array): { mean: number; std: number } {
  const n = sorted.length;
  const largest = Math.max(Math.abs(sorted[0] as number), Math.abs(sorted[n - 1] as number));
  const scale = largest === 0 ? 1 : 2 ** Math.min(Math.max(Math.ceil(Math.log2(largest)), -1022), 1023);
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < n; i++) {
    const x = (sorted[i] as number) / scale;
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  const scaledMean = (sum + compensation) / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((sorted[i] as number) / scale - scaledMean) ** 2;
  // + 0: a mean that underflows from below is −0, which JSON would turn into 0.
  return { mean: scaledMean * scale + 0, std: Math.sqrt(squares / n) * scale };
}

function distinctSorted(sorted: Float64Array): number {
  let distinct = 1;
  for (let i = 1; i < sorted.length && distinct < DISTINCT_CAP; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}

function binEdges(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const edge = quantileSorted(sorted, i / bins);
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  if (edges.length === 1) edges.push(edges[0] as number);
  return edges;
}

function sampleSorted(sorted: Float64Array, size: number): number[] {
  const n = sorted.length;
  if (n <= size) return Array.from(sorted);
  return Array.from({ length: size }, (_, i) => sorted[Math.floor(((i + 0.5) * n) / size)] as number);
}
