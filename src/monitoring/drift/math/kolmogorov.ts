import { ldexp } from './ldexp.js';
import { smirnovSf } from './smirnov.js';

/**
 * P(Dₙ > x): the survival function of the two-sided one-sample Kolmogorov–Smirnov statistic
 * (scipy.stats.kstwo.sf), which ks_2samp evaluates at n = round(mn / (m + n)) for large samples.
 * The algorithm chooser of Simard & L'Ecuyer (J. Stat. Software 39(11), 2011) as scipy's
 * _ksstats.py applies it: Ruben–Gambino closed forms at the ends, the Durbin matrix (Marsaglia,
 * Tsang & Wang 2003) or Pomeranz's recursion (1974) for small n·x², twice the one-sided Smirnov
 * tail for large ones, and the Pelz–Good series (1976) for large n.
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n < 1 || Number.isNaN(x)) return Number.NaN;
  // kstwo's support is [1/(2n), 1].
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;
  return clip(sfInside(n, x));
}

function sfInside(n: number, x: number): number {
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return 1 - cdf;
  }
  if (t >= n - 1) return 2 * (1 - x) ** n;
  if (x >= 0.5) return 2 * smirnovSf(n, x);
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return 1 - durbinCdf(n, x);
    if (nxSquared <= 4) return 1 - pomeranzCdf(n, x);
    return 2 * smirnovSf(n, x);
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return 2 * smirnovSf(n, x);
  if (n <= 100_000 && n * x ** 1.5 <= 1.4) return 1 - durbinCdf(n, x);
  return 1 - pelzGoodCdf(n, x);
}

function clip(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}

const SCALE_EXPONENT = 128;
const BIG = 2 ** SCALE_EXPONENT;
const SMALL = 2 ** -SCALE_EXPONENT;
const LOG_TWO_PI = Math.log(2 * Math.PI);
// Stirling's series coefficients B₂ₖ / (2k(2k − 1)), highest order first.
const STIRLING = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];

/** ln(n! / nⁿ) by Stirling's series. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_TWO_PI / 2 + rn * poly;
}

/** P(Dₙ ≤ d) as the (k, k) entry of Hⁿ · n!/nⁿ, k = ⌈nd⌉ (Durbin 1968; Marsaglia, Tsang & Wang 2003). */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  v[m - 1] = (1 + Math.max(2 * h - 1, 0) ** m - 2 * h ** m) * factorial;
  let power = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) power[r * m + i] = w[r - i + 1] as number;
  }
  for (let r = 0; r < m; r++) power[r * m] = v[r] as number;
  for (let c = 0; c < m; c++) power[(m - 1) * m + c] = v[m - 1 - c] as number;

  let result = new Float64Array(m * m);
  for (let i = 0; i < m; i++) result[i * m + i] = 1;
  let exponent = 0;
  let powerExponent = 0;
  const diagonal = (k - 1) * m + (k - 1);
  for (let remaining = n; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) {
      result = multiply(result, power, m);
      exponent += powerExponent;
    }
    power = multiply(power, power, m);
    powerExponent *= 2;
    if (Math.abs(power[diagonal] as number) > BIG) {
      for (let i = 0; i < power.length; i++) power[i] = (power[i] as number) / BIG;
      powerExponent += SCALE_EXPONENT;
    }
  }
  let p = result[diagonal] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SMALL) {
      p *= BIG;
      exponent -= SCALE_EXPONENT;
    }
  }
  return clip(exponent === 0 ? p : ldexp(p, exponent));
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l] as number;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] = (out[i * m + j] as number) + ail * (b[l * m + j] as number);
    }
  }
  return out;
}

/** P(Dₙ ≤ x) by Pomeranz's recursion, as scipy's _kolmogn_Pomeranz. */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilF = f > 0 ? 1 : 0;
  const roundF = f > 0.5 ? 1 : 0;
  const size = 2 * (ll + 1);
  const gPower = new Float64Array(size);
  const twoGPower = new Float64Array(size);
  const oneMinusTwoGPower = new Float64Array(size);
  gPower[0] = 1;
  twoGPower[0] = 1;
  oneMinusTwoGPower[0] = 1;
  for (let m = 1; m < size; m++) {
    gPower[m] = ((gPower[m - 1] as number) * (g / n)) / m;
    twoGPower[m] = ((twoGPower[m - 1] as number) * ((2 * g) / n)) / m;
    oneMinusTwoGPower[m] = ((oneMinusTwoGPower[m - 1] as number) * ((1 - 2 * g) / n)) / m;
  }
  const bounds = (i: number): [number, number] => {
    let j1: number;
    let j2: number;
    if (i === 0) {
      j1 = -ll - ceilF - 1;
      j2 = ll + ceilF - 1;
    } else {
      const half = Math.floor((i + 1) / 2);
      if ((i + 1) % 2 === 0) {
        if (half === n + 1) {
          j1 = n - ll - ceilF - 1;
          j2 = n + ll + ceilF - 1;
        } else {
          j1 = half - 1 - ll - roundF - 1;
          j2 = half + ll - 1 + ceilF - 1;
        }
      } else {
        j1 = half - 1 - ll - 1;
        j2 = half + ll + roundF - 1;
      }
    }
    return [Math.max(j1 + 2, 0), Math.min(j2, n)];
  };

  let previous = new Float64Array(size);
  let current = new Float64Array(size);
  current[0] = 1;
  let previousStart = 0;
  let currentStart = 0;
  let exponent = 0;
  let j1 = bounds(0)[0];
  let j2: number;
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [previous, current] = [current, previous];
    [previousStart, currentStart] = [currentStart, previousStart];
    current.fill(0);
    [j1, j2] = bounds(i);
    const powers = i === 1 || i === 2 * n + 1 ? gPower : i % 2 === 1 ? twoGPower : oneMinusTwoGPower;
    const length = j2 - k1 + 1;
    if (length > 0) {
      // Entries start..start+count of the full convolution of previous[k1 − previousStart …] (length
      // entries) with powers[0 … length).
      const offset = k1 - previousStart;
      const start = j1 - k1;
      const count = j2 - j1 + 1;
      let largest = 0;
      for (let c = 0; c < count; c++) {
        const index = start + c;
        let sum = 0;
        for (let a = Math.max(0, index - length + 1); a <= Math.min(index, length - 1); a++) {
          const source = offset + a;
          const power = index - a;
          if (source < size && power < size) sum += (previous[source] as number) * (powers[power] as number);
        }
        current[c] = sum;
        if (sum > largest) largest = sum;
      }
      if (largest > 0 && largest < SMALL) {
        for (let c = 0; c < size; c++) current[c] = (current[c] as number) * BIG;
        exponent -= SCALE_EXPONENT;
      }
      currentStart = previousStart + j1 - k1;
    }
  }
  let answer = current[n - currentStart] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > BIG) {
      answer *= SMALL;
      exponent += SCALE_EXPONENT;
    }
    answer *= m;
  }
  return clip(exponent === 0 ? answer : ldexp(answer, exponent));
}

const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);

/** The Pelz–Good asymptotic series for P(Dₙ ≤ x), as scipy's _kolmogn_PelzGood. */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qLog = -PI_SQUARED / 8 / z2;
  if (qLog < -708) return 0;
  let q = Math.exp(qLog);
  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const terms = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qPower = q ** (8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) terms[i] = (terms[i] as number) * qPower + (coefficients[i] as number);
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) terms[i] = ((terms[i] as number) * q * SQRT_TWO_PI) / (divisors[i] as number);

  q = Math.exp(-PI_SQUARED / 2 / z2);
  let extra2 = 0;
  let extra3 = 0;
  for (let k = maxK; k > 0; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    extra2 += k2 * qk;
    const kPi = Math.PI * k;
    extra3 += (SQRT3 * z + kPi) * (SQRT3 * z - kPi) * k2 * qk;
  }
  terms[2] = (terms[2] as number) + (extra2 * PI_SQUARED * SQRT_TWO_PI) / (-36 * z3);
  terms[3] = (terms[3] as number) + (extra3 * PI_SQUARED * SQRT_TWO_PI) / (216 * z6);
  let cdf = 0;
  for (let i = 0; i < 4; i++) cdf += (terms[i] as number) / n ** (i / 2);
  return cdf;
}
