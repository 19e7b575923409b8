/**
 * P(D⁺ₙ > x): the survival function of the one-sided one-sample Kolmogorov–Smirnov statistic, as
 * scipy.special.smirnov. Birnbaum & Tingey (1951):
 *   P(D⁺ₙ > x) = x Σ_{v=0}^{⌈n(1−x)⌉−1} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v).
 * Terms are summed in log space (they under- and overflow on their own) with the shortcuts
 * scipy's cephes takes at the ends of the range. scipy sums in double-double; plain doubles
 * leave a relative error of about n · 1e-16.
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  const nxFloor = Math.floor(nx);
  const alpha = nx - nxFloor;
  // x ≤ 1/n: P(D⁺ₙ ≤ x) = x (1 + x)^(n−1).
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) return 1 - x * (1 + x) ** (n - 1);
  if (-2 * n * x * x < MIN_LOG) return 0;
  // x ≥ 1 − 1/n: only the first term remains.
  if (nxFloor >= n - 1) return (1 - x) ** n;
  if (n > MAX_COMPUTE_N) return Math.exp(-((6 * n * x + 1) ** 2) / 18 / n);

  // The last v with 1 − x − v/n > 0.
  const last = n - nxFloor - 1;
  let logBinomial = 0;
  let sum = 0;
  let compensation = 0;
  for (let v = 0; v <= last; v++) {
    if (v > 0) logBinomial += Math.log((n - v + 1) / v);
    const low = v / n + x;
    const high = (n - v) / n - x;
    const term = Math.exp(logBinomial + (v - 1) * Math.log(low) + (n - v) * Math.log(high));
    const t = sum + term;
    compensation += sum >= term ? sum - t + term : term - t + sum;
    sum = t;
    if (v > 0 && 4 * (last - v) * term < Number.EPSILON * sum) break;
  }
  return Math.min(Math.max(x * (sum + compensation), 0), 1);
}

/** ln of the smallest normal double, as cephes' MINLOG. */
const MIN_LOG = -708.3964185322641;
/** Beyond this n scipy switches to the approximation exp(−(6nx + 1)² / 18n). */
const MAX_COMPUTE_N = 1_000_000;
