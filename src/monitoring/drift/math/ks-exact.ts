/**
 * Exact two-sided p-values of the two-sample Kolmogorov–Smirnov statistic D = h / lcm(m, n),
 * counting lattice paths from (0, 0) to (m, n) as Hodges (1958) describes, in the forms
 * scipy.stats.ks_2samp uses.
 */
export function exactTwoSidedPValue(m: number, n: number, h: number): number {
  if (h === 0) return 1;
  return m === n ? outsideSquare(n, h) : outsideInside(m, n, gcd(m, n), h);
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * m = n: P(D ≥ h/n) = 2 Σ_k (−1)^(k+1) C(2n, n − kh) / C(2n, n), evaluated Horner-like as
 * 2 A₀(1 − A₁(1 − A₂(…))) with each ratio Aₖ a product of h factors, which avoids the
 * cancellation of the alternating sum.
 */
function outsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * m ≠ n: one minus the share of paths that stay strictly inside |x/m − y/n| < h / lcm(m, n),
 * column by column over a sliding window of the band. The recursion carries 1 − share directly
 * (Viehmann 2021, arXiv:2102.08037), so small p-values keep their precision and nothing
 * overflows.
 */
function outsideInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let length = maxJ - minJ;
  const column = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  column.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i++) {
    const lastMinJ = minJ;
    const lastLength = length;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let jj = 0; jj < maxJ - minJ; jj++) {
      const j = jj + minJ;
      value = ((column[jj + minJ - lastMinJ] as number) * i + value * j) / (i + j);
      column[jj] = value;
    }
    length = maxJ - minJ;
    if (lastLength > length) column.fill(1, maxJ - minJ, maxJ - minJ + (lastLength - length));
  }
  return column[maxJ - minJ - 1] as number;
}
