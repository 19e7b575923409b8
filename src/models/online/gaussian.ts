/**
 * A running mean and variance (Welford 1962, "Note on a method for calculating corrected sums of
 * squares and products"), with the range seen. Plain data so trees can serialize it as is.
 */
export interface Gaussian {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

export function gaussianOf(value: number): Gaussian {
  return { n: 1, mean: value, m2: 0, min: value, max: value };
}

export function addToGaussian(g: Gaussian, value: number): void {
  g.n += 1;
  const delta = value - g.mean;
  g.mean += delta / g.n;
  g.m2 += delta * (value - g.mean);
  if (value < g.min) g.min = value;
  if (value > g.max) g.max = value;
}

/** Sample standard deviation (0 with fewer than two values). */
export function standardDeviation(g: Gaussian): number {
  return g.n > 1 ? Math.sqrt(g.m2 / (g.n - 1)) : 0;
}

/** Φ(z), the standard normal CDF, through erfc. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Complementary error function with fractional error below 1.2e-7 everywhere: the Chebyshev
 * fit `erfcc` of Press et al., "Numerical Recipes in C" (2nd ed.), §6.2.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
