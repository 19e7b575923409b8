/**
 * Numeric bins are [edges[i], edges[i + 1]), the last one closed. Values outside the edges are
 * clamped into the first or last bin: profiles stay plain JSON (no ±Infinity edges) and a live
 * value beyond the training range still lands in a bin, the outermost one.
 */
export function binIndex(edges: readonly number[], x: number): number {
  const last = edges.length - 2;
  if (!(x >= (edges[1] as number))) return 0;
  if (x >= (edges[last] as number)) return last;
  // Largest i with edges[i] ≤ x, between 1 and last − 1.
  let low = 1;
  let high = last - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((edges[middle] as number) <= x) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Counts of the finite values in each bin of `edges` (at least two edges). */
export function binCounts(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (!Number.isFinite(x)) continue;
    const bin = binIndex(edges, x);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}
