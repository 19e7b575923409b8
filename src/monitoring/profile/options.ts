import { TandemError, quote } from '../../errors.js';

export interface ProfileOptions {
  /**
   * How many values a numeric profile keeps for KS and Wasserstein.
   * @default 5000
   */
  readonly sampleSize?: number;
  /**
   * Equal-frequency bins of a numeric profile's histogram (fewer when quantiles coincide).
   * @default 10
   */
  readonly bins?: number;
}

export const DEFAULT_SAMPLE_SIZE = 5000;
export const DEFAULT_BINS = 10;
/** Categorical profiles keep this many most frequent values. */
export const TOP_VALUES = 100;
/** Distinct numbers are counted up to this many. */
export const DISTINCT_CAP = 1000;

export function positiveOption(where: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TandemError('TANDEM_INVALID_PARAMETER', `${where}: ${name} ${typeof value === 'number' ? String(value) : quote(value)} must be a positive integer`);
  }
  return value;
}
