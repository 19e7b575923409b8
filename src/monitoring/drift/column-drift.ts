import { TandemError, quote } from '../../errors.js';
import { binCounts } from '../profile/histogram.js';
import type { Category } from '../profile/categorical-profile.js';
import type { CategoricalProfile, ColumnDrift, ColumnProfile, DriftMethod, Histogram, NumericProfile } from '../types.js';
import { chiSquare } from './chi-square.js';
import { jensenShannon } from './jensen-shannon.js';
import { ksTestSorted } from './ks-test.js';
import { psi } from './psi.js';
import { DEFAULT_THRESHOLDS, FEW_DISTINCT, SMALL_REFERENCE, TESTS } from './thresholds.js';
import { wassersteinSorted } from './wasserstein.js';
import { zTest } from './z-test.js';

export interface ColumnDriftOptions {
  /** The statistic to use instead of the automatic choice (see docs/drift.md). */
  readonly method?: DriftMethod;
  /** A p-value (tests) or a distance (the rest) instead of the method's default. */
  readonly threshold?: number;
}

/** The bin that gathers values outside the reference's top frequencies (and unseen ones). */
export const OTHER_LABEL = '(other)';

/**
 * One column's drift between its reference profile and the current values, with Evidently's
 * automatic choice of statistic unless `method` says otherwise:
 *
 * | reference values | numbers, > 5 distinct | categories or ≤ 5 distinct numbers        |
 * | ≤ 1000           | KS, p < 0.05          | chi-square (z-test if ≤ 2 values), p < 0.05 |
 * | > 1000           | Wasserstein / std ≥ 0.1 | Jensen–Shannon ≥ 0.1                    |
 *
 * Distinct values are counted over reference and current together, as Evidently does. Numbers
 * are compared with the profile's `sample`; categories with its `frequencies`, every value
 * outside them falling into one '(other)' bin. Nothing to compare (an empty side) is no drift.
 */
export function columnDrift(
  reference: ColumnProfile,
  current: ArrayLike<number> | readonly Category[],
  options: ColumnDriftOptions = {},
): ColumnDrift {
  return reference.kind === 'number'
    ? numericDrift(reference, numbersOf(reference.name, current), options)
    : categoricalDrift(reference, categoriesOf(reference.name, current), options);
}

interface Outcome {
  readonly method: DriftMethod;
  readonly statistic: number;
  readonly pValue: number | null;
}

function numericDrift(reference: NumericProfile, current: Float64Array, options: ColumnDriftOptions): ColumnDrift {
  const referenceCount = reference.count - reference.missing;
  const edges = reference.histogram.edges ?? [];
  const histograms = {
    reference: reference.histogram,
    current: { edges, counts: edges.length >= 2 ? binCounts(edges, current) : [] },
  };
  const sample = Float64Array.from(reference.sample);
  const discrete = discreteBins(sample, current, reference.distinct);
  const method = options.method ?? automaticMethod(referenceCount, discrete === null ? Infinity : discrete.reference.length, 'number');
  if (referenceCount === 0 || current.length === 0) return result(reference, current.length, nothingToCompare(method), options, histograms);
  // Bins for the methods that compare distributions bin by bin: the values themselves when few.
  const bins = discrete ?? { reference: [...histograms.reference.counts], current: histograms.current.counts };
  let outcome: Outcome;
  switch (method) {
    case 'ks': {
      const ks = ksTestSorted(sample, current);
      outcome = { method, statistic: ks.statistic, pValue: ks.pValue };
      break;
    }
    case 'wasserstein':
      outcome = { method, statistic: wassersteinSorted(sample, current) / Math.max(reference.std ?? 0, MIN_STD), pValue: null };
      break;
    case 'z-test':
      if (discrete === null || discrete.reference.length > 2) {
        throw new TandemError(
          'TANDEM_INVALID_PARAMETER',
          `columnDrift: method 'z-test' compares two values, but numeric column '${reference.name}' has more`,
        );
      }
      outcome = binnedOutcome(method, bins);
      break;
    default:
      outcome = binnedOutcome(method, bins);
  }
  return result(reference, current.length, outcome, options, histograms);
}

/** Evidently's floor for the reference std, so a constant reference does not divide by zero. */
const MIN_STD = 0.001;

function categoricalDrift(reference: CategoricalProfile, current: readonly string[], options: ColumnDriftOptions): ColumnDrift {
  const referenceCount = reference.count - reference.missing;
  const index = new Map<string, number>();
  const labels: string[] = [];
  const referenceCounts: number[] = [];
  for (const { value, count } of reference.frequencies) {
    index.set(value, labels.length);
    labels.push(value);
    referenceCounts.push(count);
  }
  const currentCounts = new Array<number>(labels.length).fill(0);
  let outside = 0;
  const unseen = new Set<string>();
  for (const value of current) {
    const bin = index.get(value);
    if (bin === undefined) {
      outside++;
      if (reference.other === 0) unseen.add(value);
    } else {
      currentCounts[bin] = (currentCounts[bin] as number) + 1;
    }
  }
  if (reference.other > 0 || outside > 0) {
    labels.push(OTHER_LABEL);
    referenceCounts.push(reference.other);
    currentCounts.push(outside);
  }
  const histograms = { reference: { labels, counts: referenceCounts }, current: { labels: [...labels], counts: currentCounts } };
  const distinct = reference.other > 0 ? Infinity : reference.distinct + unseen.size;
  const method = options.method ?? automaticMethod(referenceCount, distinct, 'category');
  if (method === 'ks' || method === 'wasserstein') {
    throw new TandemError('TANDEM_INVALID_PARAMETER', `columnDrift: method ${quote(method)} needs numbers, but column '${reference.name}' holds categories`);
  }
  if (method === 'z-test' && labels.length > 2) {
    throw new TandemError(
      'TANDEM_INVALID_PARAMETER',
      `columnDrift: method 'z-test' compares two values, but column '${reference.name}' has ${labels.length}`,
    );
  }
  if (referenceCount === 0 || current.length === 0) return result(reference, current.length, nothingToCompare(method), options, histograms);
  return result(reference, current.length, binnedOutcome(method, { reference: referenceCounts, current: currentCounts }), options, histograms);
}

function automaticMethod(referenceCount: number, distinct: number, kind: 'number' | 'category'): DriftMethod {
  const continuous = kind === 'number' && distinct > FEW_DISTINCT;
  if (referenceCount <= SMALL_REFERENCE) return continuous ? 'ks' : distinct <= 2 ? 'z-test' : 'chi-square';
  return continuous ? 'wasserstein' : 'jensen-shannon';
}

function binnedOutcome(method: DriftMethod, bins: { reference: readonly number[]; current: readonly number[] }): Outcome {
  // Bins empty on both sides say nothing; dropping them keeps chi-square's degrees of freedom honest.
  const reference: number[] = [];
  const current: number[] = [];
  for (let i = 0; i < bins.reference.length; i++) {
    if ((bins.reference[i] as number) === 0 && (bins.current[i] as number) === 0) continue;
    reference.push(bins.reference[i] as number);
    current.push(bins.current[i] as number);
  }
  switch (method) {
    case 'psi':
      return { method, statistic: psi(reference, current), pValue: null };
    case 'jensen-shannon':
      return { method, statistic: jensenShannon(reference, current), pValue: null };
    case 'z-test': {
      const referenceTotal = sum(reference);
      const currentTotal = sum(current);
      const z = zTest(reference[0] ?? 0, referenceTotal, current[0] ?? 0, currentTotal);
      return { method, statistic: z.statistic, pValue: z.pValue };
    }
    default: {
      if (reference.length < 2) return { method, statistic: 0, pValue: 1 };
      // A bin the reference never saw would expect 0, and scipy's answer (an infinite statistic,
      // p = 0) would flag drift for one stray row. The reference could well have missed a value
      // that rare, so an empty bin counts as half a reference row (then shares are renormalised).
      const referenceTotal = sum(reference);
      const currentTotal = sum(current);
      const shares = reference.map((count) => Math.max(count, 0.5) / referenceTotal);
      const shareTotal = sum(shares);
      const test = chiSquare(current, shares.map((share) => (share / shareTotal) * currentTotal));
      return { method: 'chi-square', statistic: test.statistic, pValue: test.pValue };
    }
  }
}

function nothingToCompare(method: DriftMethod): Outcome {
  return { method, statistic: 0, pValue: TESTS.has(method) ? 1 : null };
}

function result(
  reference: ColumnProfile,
  currentCount: number,
  outcome: Outcome,
  options: ColumnDriftOptions,
  histograms: { reference: Histogram; current: Histogram },
): ColumnDrift {
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[outcome.method];
  if (!(threshold >= 0 && threshold < Infinity)) {
    throw new TandemError('TANDEM_INVALID_PARAMETER', `columnDrift: threshold ${String(threshold)} for column '${reference.name}' must be a finite number ≥ 0`);
  }
  const drifted = outcome.pValue === null ? outcome.statistic >= threshold : outcome.pValue < threshold;
  return {
    column: reference.name,
    kind: reference.kind,
    method: outcome.method,
    statistic: outcome.statistic,
    pValue: outcome.pValue,
    threshold,
    drifted,
    referenceCount: reference.count - reference.missing,
    currentCount,
    reference: histograms.reference,
    current: histograms.current,
  };
}

/**
 * When the reference holds at most five distinct numbers (and the current adds none beyond that),
 * the counts of each value in the reference sample and in the current values: the column is
 * compared as categories. Null otherwise.
 */
function discreteBins(sample: Float64Array, current: Float64Array, distinct: number): { reference: number[]; current: number[] } | null {
  if (distinct > FEW_DISTINCT || sample.length === 0) return null;
  const index = new Map<number, number>();
  const reference: number[] = [];
  for (const x of sample) {
    const bin = index.get(x);
    if (bin === undefined) {
      index.set(x, reference.length);
      reference.push(1);
    } else {
      reference[bin] = (reference[bin] as number) + 1;
    }
  }
  const counts = new Array<number>(reference.length).fill(0);
  for (const x of current) {
    let bin = index.get(x);
    if (bin === undefined) {
      if (index.size >= FEW_DISTINCT) return null;
      bin = reference.length;
      index.set(x, bin);
      reference.push(0);
      counts.push(0);
    }
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { reference, current: counts };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function numbersOf(column: string, values: ArrayLike<number> | readonly Category[]): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'number') {
      if (Number.isFinite(value)) n++;
    } else if (value !== null && value !== undefined) {
      throw new TandemError('TANDEM_INVALID_DATASET', `columnDrift: value ${i} of numeric column '${column}' is ${quote(value)}`);
    }
  }
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'number' && Number.isFinite(value)) out[k++] = value;
  }
  return out.sort();
}

function categoriesOf(column: string, values: ArrayLike<number> | readonly Category[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'string') out.push(value);
    else if (value !== null && value !== undefined) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `columnDrift: value ${i} of categorical column '${column}' is ${quote(value)}; categories are strings or null`,
      );
    }
  }
  return out;
}
