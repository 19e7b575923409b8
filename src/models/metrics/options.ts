import { TandemError, quote } from '../../errors.js';

/** A count option (window, bins, report interval) must be a positive integer. */
export function positiveInteger(where: string, name: string, value: unknown, minimum = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    const what = minimum === 1 ? 'a positive integer' : `an integer of at least ${minimum}`;
    throw new TandemError('TANDEM_INVALID_PARAMETER', `${where}: ${name} ${show(value)} must be ${what}`);
  }
  return value;
}

/** A value for an error message: numbers as JavaScript prints them (NaN, Infinity), the rest quoted. */
export function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : quote(value);
}
