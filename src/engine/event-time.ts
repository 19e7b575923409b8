import { TandemError, quote } from '../errors.js';

/**
 * An event time in epoch milliseconds from a number (ms), a Date, or an ISO 8601 string.
 * Returns NaN when the value is none of these.
 */
export function toEventTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && value.length >= 10) {
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length === 10 ? value : `${value}Z`);
    return Number.isFinite(ms) ? ms : NaN;
  }
  return NaN;
}

export function requireEventTime(value: unknown, what: string): number {
  const t = toEventTime(value);
  if (t !== t) {
    throw new TandemError(
      'TANDEM_INVALID_EVENT',
      `${what} is ${quote(value)}, not a timestamp (epoch milliseconds or ISO 8601)`,
    );
  }
  return t;
}

/** An event time for messages: ISO 8601 where a Date can hold it, else the number of ms. */
export function formatEventTime(t: number): string {
  return Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : `${t} ms`;
}
