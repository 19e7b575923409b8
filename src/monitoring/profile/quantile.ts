/**
 * The q-quantile of ascending values with linear interpolation between order statistics, as
 * numpy.quantile's default method 'linear' (Hyndman & Fan type 7): position q · (n − 1), and
 * numpy's two-sided lerp, which is exact at both ends of each interval.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * q;
  if (position >= n - 1) return sorted[n - 1] as number;
  if (position <= 0) return sorted[0] as number;
  const below = Math.floor(position);
  const t = position - below;
  const a = sorted[below] as number;
  const b = sorted[below + 1] as number;
  const difference = b - a;
  // Only for values near ±1.8e308, where b − a overflows (numpy would give inf).
  if (!Number.isFinite(difference)) return a * (1 - t) + b * t;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}
