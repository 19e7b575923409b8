import { describe, expect, it } from 'vitest';
import { parseTimestampText } from './timestamp-text.js';

const T = Date.UTC(2024, 0, 15, 10, 30, 0);

describe('parseTimestampText', () => {
  it('reads ISO 8601 with Z, with an offset, and without a zone as UTC', () => {
    expect(parseTimestampText('2024-01-15T10:30:00Z')).toBe(T);
    expect(parseTimestampText('2024-01-15T12:30:00+02:00')).toBe(T);
    expect(parseTimestampText('2024-01-15T05:00:00-05:30')).toBe(T);
    expect(parseTimestampText('2024-01-15T10:30:00')).toBe(T);
    expect(parseTimestampText('2024-01-15 10:30:00')).toBe(T);
  });

  it('reads dates, minutes without seconds, and compact offsets', () => {
    expect(parseTimestampText('2024-01-15')).toBe(Date.UTC(2024, 0, 15));
    expect(parseTimestampText('2024-01-15T10:30Z')).toBe(T);
    expect(parseTimestampText('2024-01-15T12:30:00+0200')).toBe(T);
    expect(parseTimestampText('2024-01-15T12:30:00+02')).toBe(T);
  });

  it('keeps milliseconds and floors finer fractions', () => {
    expect(parseTimestampText('2024-01-15T10:30:00.123Z')).toBe(T + 123);
    expect(parseTimestampText('2024-01-15T10:30:00.1239Z')).toBe(T + 123);
    expect(parseTimestampText('2024-01-15T10:30:00.5Z')).toBe(T + 500);
    expect(parseTimestampText('1969-12-31T23:59:59.9995Z')).toBe(-1);
  });

  it('reads epoch milliseconds, flooring fractions', () => {
    expect(parseTimestampText('1705314600000')).toBe(T);
    expect(parseTimestampText(' 1705314600000.9 ')).toBe(T);
    expect(parseTimestampText('-1')).toBe(-1);
  });

  it('reads years before 100 as themselves', () => {
    expect(parseTimestampText('0050-01-01T00:00:00Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
  });

  it('rejects text that is not a timestamp', () => {
    for (const text of ['yesterday', '', '2024-13-01', '2024-02-30', '2024-01-15T25:00:00Z', '15/01/2024', '2024-01-15T10:30:00 PST']) {
      expect(parseTimestampText(text)).toBeUndefined();
    }
  });
});
