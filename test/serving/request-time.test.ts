import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toEventTime } from '../../src/engine/event-time.js';
import { requestTime, requestTimeOf } from '../../src/serving/check-request.js';

describe('times in requests', () => {
  it('read ISO 8601 as event times do: UTC when the text names no zone, whatever the server\'s zone', () => {
    expect(requestTimeOf('2026-01-10T00:00:00')).toBe(Date.UTC(2026, 0, 10));
    expect(requestTimeOf('2026-01-10T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 10));
    expect(requestTimeOf('2026-01-10')).toBe(Date.UTC(2026, 0, 10));
    expect(requestTimeOf(1_768_003_200_000)).toBe(1_768_003_200_000);
  });

  it('refuse what is not a time, where Date.parse would guess (it reads "1" as the year 2001)', () => {
    for (const text of ['1', '12', 'yesterday', 'not a time', '']) expect(requestTimeOf(text), text).toBeNaN();
    expect(() => requestTime({ at: '1' })).toThrow(/field 'at' must be a time/);
    expect(requestTimeOf(true)).toBeNaN();
    expect(requestTimeOf(null)).toBeNaN();
  });

  it('agree with event times on every instant, as numbers and as ISO text', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        expect(requestTimeOf(iso)).toBe(toEventTime(iso));
        expect(requestTimeOf(iso)).toBe(date.getTime());
        expect(requestTimeOf(date.getTime())).toBe(date.getTime());
      }),
    );
  });
});
