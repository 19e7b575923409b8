import { TandemError } from '../../errors.js';
import { exactTwoSidedPValue, gcd } from './math/ks-exact.js';
import { kolmogorovSf } from './math/kolmogorov.js';

export interface KsTestOptions {
  /**
   * How the p-value is computed: 'auto' is exact when both samples have at most 10 000 values
   * (scipy's MAX_AUTO_N), else asymptotic.
   * @default 'auto'
   */
  readonly method?: 'auto' | 'exact' | 'asymptotic';
}

export interface KsTestResult {
  /** D = sup |F_reference − F_current|. */
  readonly statistic: number;
  /** Two-sided p-value of "both samples come from one continuous distribution". */
  readonly pValue: number;
  readonly method: 'exact' | 'asymptotic';
}

/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, giving the statistic and p-value of
 * scipy.stats.ks_2samp(a, b) with its default method='auto'. Exact: D is snapped to the lattice
 * h / lcm(n₁, n₂) and the p-value counts lattice paths (see ks-exact.ts). Asymptotic: the
 * one-sample distribution at n = round(n₁n₂ / (n₁ + n₂)) (see kolmogorov.ts). Ties are fine: both
 * empirical CDFs are right-continuous, as with searchsorted(side='right').
 */
export function ksTest(reference: ArrayLike<number>, current: ArrayLike<number>, options: KsTestOptions = {}): KsTestResult {
  const a = sortedCopy('reference', reference);
  const b = sortedCopy('current', current);
  return ksTestSorted(a, b, options.method ?? 'auto');
}

const MAX_AUTO_N = 10_000;

/** ksTest on ascending samples without NaN (what profiles and windows hand over). */
export function ksTestSorted(a: Float64Array, b: Float64Array, method: 'auto' | 'exact' | 'asymptotic' = 'auto'): KsTestResult {
  const n1 = a.length;
  const n2 = b.length;
  let d = ksStatisticSorted(a, b);
  let mode = method === 'auto' ? (Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymptotic') : method;
  const g = gcd(n1, n2);
  // scipy gives up on exact when lcm(n₁, n₂) does not fit an int32.
  if (mode === 'exact' && n1 / g >= INT32_MAX / (n2 / g)) mode = 'asymptotic';
  if (mode === 'exact') {
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    const p = exactTwoSidedPValue(n1, n2, h);
    if (p >= 0 && p <= 1) return { statistic: h / lcm, pValue: p, method: 'exact' };
    d = h / lcm;
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const p = kolmogorovSf(roundHalfEven((m * n) / (m + n)), d);
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), method: 'asymptotic' };
}

const INT32_MAX = 2 ** 31 - 1;

/** sup |F_a − F_b| over every value of either sample, each CDF evaluated as count(≤ x) / size. */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < n1 && (a[i] as number) <= x) i++;
    while (j < n2 && (b[j] as number) <= x) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function sortedCopy(which: string, values: ArrayLike<number>): Float64Array {
  if (values.length === 0) throw new TandemError('TANDEM_INVALID_DATASET', `ksTest: the ${which} sample is empty`);
  const copy = Float64Array.from(values);
  for (let i = 0; i < copy.length; i++) {
    if (Number.isNaN(copy[i])) throw new TandemError('TANDEM_INVALID_DATASET', `ksTest: ${which} value ${i} is NaN`);
  }
  return copy.sort();
}
