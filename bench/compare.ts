/**
 * Value-by-value agreement between two feature columns, and an exact brute-force reference to
 * tell which side is wrong when they disagree.
 */
import type { GeneratedEvents } from './generate.js';
import { HIGH_AMOUNT, type FeatureSpec } from './project.js';

/** |a − b| / max(|a|, |b|); 0 when both are 0. */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

export interface Agreement {
  readonly feature: string;
  readonly maxAbsDiff: number;
  readonly maxRelDiff: number;
  /** Rows where one side is null (NaN) and the other is not. */
  readonly nullMismatches: number;
  /** Rows whose relative difference exceeds the tolerance. */
  readonly overTolerance: number;
  /** Rows where both sides are null: empty windows. */
  readonly bothNull: number;
  /** Up to 5 row ids of the worst disagreements, worst first. */
  readonly worstRows: readonly number[];
}

export function compareColumns(feature: string, ours: Float64Array, theirs: Float64Array, tolerance: number): Agreement {
  let maxAbsDiff = 0;
  let maxRelDiff = 0;
  let nullMismatches = 0;
  let overTolerance = 0;
  let bothNull = 0;
  const worst: { row: number; score: number }[] = [];
  const note = (row: number, score: number): void => {
    if (worst.length < 5 || score > worst[worst.length - 1]!.score) {
      worst.push({ row, score });
      worst.sort((x, y) => y.score - x.score);
      if (worst.length > 5) worst.pop();
    }
  };
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = theirs[i]!;
    const aNull = Number.isNaN(a);
    const bNull = Number.isNaN(b);
    if (aNull || bNull) {
      if (aNull && bNull) bothNull++;
      else {
        nullMismatches++;
        note(i, Infinity);
      }
      continue;
    }
    const abs = Math.abs(a - b);
    const rel = relativeDifference(a, b);
    if (abs > maxAbsDiff) maxAbsDiff = abs;
    if (rel > maxRelDiff) maxRelDiff = rel;
    if (rel > tolerance) {
      overTolerance++;
      note(i, rel);
    }
  }
  return { feature, maxAbsDiff, maxRelDiff, nullMismatches, overTolerance, bothNull, worstRows: worst.map((w) => w.row) };
}

/**
 * The feature at row `row` computed from scratch over all events, exactly: amounts are whole
 * cents, so sums are exact BigInts and only the final division / square root rounds. NaN for
 * null (empty window). Also returns the window's events, for the report.
 */
export function bruteForce(events: GeneratedEvents, spec: FeatureSpec, row: number): { value: number; window: { id: number; ts: number; amount: number }[] } {
  const t = events.ts[row]!;
  const from = t - spec.windowMs;
  const sameKey = (k: number): boolean => spec.keys.every((key) => events[key][k] === events[key][row]);
  const window: { id: number; ts: number; amount: number }[] = [];
  for (let k = 0; k < events.length; k++) {
    const at = events.ts[k]!;
    if (at >= from && at < t && sameKey(k)) window.push({ id: k, ts: at, amount: events.amount[k]! });
  }
  const n = window.length;
  if (spec.kind === 'count') return { value: n, window };
  if (n === 0) return { value: NaN, window };
  const cents = window.map((e) => BigInt(Math.round(e.amount * 100)));
  const total = cents.reduce((x, y) => x + y, 0n);
  switch (spec.kind) {
    case 'max':
      return { value: Math.max(...window.map((e) => e.amount)), window };
    case 'ratio':
      return { value: window.filter((e) => e.amount > HIGH_AMOUNT).length / n, window };
    case 'mean':
      return { value: exactQuotient(total, BigInt(n) * 100n), window };
    case 'std': {
      // Population variance in cents²: (n·Σc² − (Σc)²) / n², exact up to the final division.
      const squares = cents.reduce((x, c) => x + c * c, 0n);
      const numerator = BigInt(n) * squares - total * total;
      const denominator = BigInt(n) * BigInt(n) * 10_000n;
      return { value: Math.sqrt(exactQuotient(numerator, denominator)), window };
    }
  }
}

/** a / b for exact non-negative integers: two roundings, so within ~3e-16 relative. */
function exactQuotient(a: bigint, b: bigint): number {
  return Number(a) / Number(b);
}
