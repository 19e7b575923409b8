/**
 * The q-quantile of observations binned in cumulative buckets (`cumulative[i]` observations
 * ≤ `bounds[i]`, `total` in all), interpolated linearly inside the bucket as Prometheus's
 * histogram_quantile does. Past the last bound it answers the last bound; NaN when empty.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: ArrayLike<number>, total: number): number {
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (let i = 0; i < bounds.length; i++) {
    const count = cumulative[i] as number;
    const bound = bounds[i] as number;
    if (count >= rank) {
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? bound : lowerBound + (bound - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return bounds[bounds.length - 1] ?? Number.NaN;
}
