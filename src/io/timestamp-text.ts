/**
 * Timestamps written as text: epoch milliseconds ("1704067200000") or ISO 8601 in extended
 * format: a date, optionally a time (hh:mm, hh:mm:ss or with a fraction), optionally Z or an
 * offset. Without a zone the time is UTC. Fractions below a millisecond are floored.
 */
const EPOCH_MS = /^[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$/;
const ISO_8601 =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Epoch milliseconds, or undefined when the text is neither form. */
export function parseTimestampText(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH_MS.test(trimmed)) return Math.floor(Number(trimmed));
  return parseIso8601(trimmed);
}

function parseIso8601(text: string): number | undefined {
  const match = ISO_8601.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, , sign, offsetHours, offsetMinutes] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const endOfDay = hour === 24 && minute === 0 && second === 0 && ms === 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if ((hour > 23 && !endOfDay) || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes ?? 0));
  return date.getTime() - offset * 60_000;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}
