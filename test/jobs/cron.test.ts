import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronSchedule, type CronFields } from '../../src/jobs/cron.js';

const MINUTE = 60_000;
const at = (iso: string) => new Date(iso);
const next = (expression: string, from: string) => CronSchedule.parse(expression).nextAfter(at(from)).toISOString();

/** A reference matcher written from the cron man page, independent of the schedule's own search. */
function referenceMatches(fields: CronFields, d: Date): boolean {
  return dayMatches(fields, d) && fields.hour.values.includes(d.getUTCHours()) && fields.minute.values.includes(d.getUTCMinutes());
}

function dayMatches(fields: CronFields, d: Date): boolean {
  if (!fields.month.values.includes(d.getUTCMonth() + 1)) return false;
  const dom = fields.dayOfMonth.values.includes(d.getUTCDate());
  const dow = fields.dayOfWeek.values.includes(d.getUTCDay());
  return fields.dayOfMonth.star || fields.dayOfWeek.star ? dom && dow : dom || dow;
}

/** The first matching minute after `from`, found by stepping minute by minute (whole days at a time on days that cannot match). */
function bruteForceNext(fields: CronFields, from: number): number {
  let t = (Math.floor(from / MINUTE) + 1) * MINUTE;
  for (;;) {
    const d = new Date(t);
    if (!dayMatches(fields, d)) t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    else if (referenceMatches(fields, d)) return t;
    else t += MINUTE;
  }
}

/** One cron field as text: `*`, `*\/k`, `a`, `a-b`, `a-b/k`, `a/k` or a list of those. */
function field(min: number, max: number): fc.Arbitrary<string> {
  const value = fc.integer({ min, max });
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const step = fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) });
  const item = fc.oneof(
    value.map(String),
    range,
    fc.tuple(range, step).map(([r, k]) => `${r}/${k}`),
    fc.tuple(value, step).map(([a, k]) => `${a}/${k}`),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('*') },
    { weight: 1, arbitrary: step.map((k) => `*/${k}`) },
    { weight: 4, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(',')) },
  );
}

const expression = fc
  .tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 7))
  .map((parts) => parts.join(' '))
  .filter((text) => {
    try {
      CronSchedule.parse(text);
      return true;
    } catch {
      return false; // e.g. '0 0 31 2 *', which never fires
    }
  });

const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) });

describe('cron schedules', () => {
  it('fire at the next matching minute strictly after the given time', () => {
    expect(next('*/15 * * * *', '2026-03-04T10:07:30Z')).toBe('2026-03-04T10:15:00.000Z');
    expect(next('*/15 * * * *', '2026-03-04T10:15:00Z')).toBe('2026-03-04T10:30:00.000Z');
    expect(next('0 9 * * mon-fri', '2026-03-06T09:00:00Z')).toBe('2026-03-09T09:00:00.000Z');
    expect(next('1-10/2 0 1 jan *', '2026-01-01T00:03:00Z')).toBe('2026-01-01T00:05:00.000Z');
    expect(next('30 2 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T02:30:00.000Z');
    expect(next('0 0 1 1 *', '2026-12-31T23:59:59.999Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('treat 0 and 7 as Sunday and accept month and weekday names in any case', () => {
    const sundays = ['0 0 * * 0', '0 0 * * 7', '0 0 * * SUN', '0 0 * * sun'].map((e) => next(e, '2026-03-04T00:00:00Z'));
    expect(new Set(sundays)).toEqual(new Set(['2026-03-08T00:00:00.000Z']));
    expect(next('0 0 1 Mar-May *', '2026-06-15T00:00:00Z')).toBe('2027-03-01T00:00:00.000Z');
    expect(next('0 0 * * fri-7', '2026-03-04T00:00:00Z')).toBe('2026-03-06T00:00:00.000Z');
  });

  it('fire when either day field matches if both are restricted, and only when both match otherwise', () => {
    // 2026-03-06 is a Friday; the 13th is a Friday too.
    expect(next('0 0 13 * fri', '2026-03-04T00:00:00Z')).toBe('2026-03-06T00:00:00.000Z');
    expect(next('0 0 */2 * fri', '2026-03-04T00:00:00Z')).toBe('2026-03-13T00:00:00.000Z');
    expect(next('0 0 13 * *', '2026-03-04T00:00:00Z')).toBe('2026-03-13T00:00:00.000Z');
  });

  it('expand the macros', () => {
    const from = '2026-03-04T10:07:00Z';
    expect(next('@yearly', from)).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@annually', from)).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@monthly', from)).toBe('2026-04-01T00:00:00.000Z');
    expect(next('@weekly', from)).toBe('2026-03-08T00:00:00.000Z');
    expect(next('@daily', from)).toBe('2026-03-05T00:00:00.000Z');
    expect(next('@midnight', from)).toBe('2026-03-05T00:00:00.000Z');
    expect(next('@hourly', from)).toBe('2026-03-04T11:00:00.000Z');
  });

  it('fire @every at multiples of the duration since the epoch', () => {
    expect(next('@every 30s', '2026-03-04T10:07:10Z')).toBe('2026-03-04T10:07:30.000Z');
    expect(next('@every 10m', '2026-03-04T10:10:00Z')).toBe('2026-03-04T10:20:00.000Z');
    expect(next('@every 1h30m', '2026-03-04T00:00:00Z')).toBe('2026-03-04T01:30:00.000Z');
    expect(next('@every 1d', '2026-03-04T10:00:00Z')).toBe('2026-03-05T00:00:00.000Z');
    expect(CronSchedule.parse('@every 2h').matches(at('2026-03-04T10:00:00Z'))).toBe(true);
  });

  it.each([
    ['* * *', "cron expression '* * *': expected 5 fields"],
    ['61 * * * *', "cron expression '61 * * * *': minute '61' is out of range 0-59"],
    ['0 24 * * *', "hour '24' is out of range 0-23"],
    ['0 0 0 * *', "day-of-month '0' is out of range 1-31"],
    ['0 0 1 13 *', "month '13' is out of range 1-12"],
    ['0 0 * * 8', "day-of-week '8' is out of range 0-7"],
    ['0 0 * * funday', "day-of-week 'funday' is not a number or a name such as 'mon'"],
    ['*/0 * * * *', "minute step '0' in '*/0' must be a whole number from 1 to 59"],
    ['5-2 * * * *', "minute range '5-2' runs backwards"],
    ['0 0 31 2 *', "day-of-month '31' never occurs in month '2'"],
    ['@every 5x', "duration '5x' is not a duration"],
    ['@every 0s', "duration '0s' must be longer than zero"],
    ['@reboot', "macro '@reboot' is not supported"],
  ])('reject %s, naming the field and quoting the value', (text, message) => {
    expect(() => CronSchedule.parse(text)).toThrow(message);
  });

  it('property: the next firing is strictly later, matches the expression, and no firing lies between', () => {
    fc.assert(
      fc.property(expression, instant, (text, from) => {
        const schedule = CronSchedule.parse(text);
        const fields = schedule.fields as CronFields;
        let t = from;
        for (let i = 0; i < 3; i++) {
          const fired = schedule.nextAfter(new Date(t)).getTime();
          expect(fired).toBeGreaterThan(t);
          expect(schedule.matches(new Date(fired))).toBe(true);
          expect(referenceMatches(fields, new Date(fired))).toBe(true);
          expect(fired).toBe(bruteForceNext(fields, t));
          t = fired;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: @every fires strictly later, on a multiple of its interval, within one interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }), fc.constantFrom('s', 'm', 'h', 'd'), instant, (count, unit, from) => {
        const schedule = CronSchedule.parse(`@every ${count}${unit}`);
        const every = schedule.everyMs as number;
        const fired = schedule.nextAfter(new Date(from)).getTime();
        expect(fired).toBeGreaterThan(from);
        expect(fired - from).toBeLessThanOrEqual(every);
        expect(schedule.matches(new Date(fired))).toBe(true);
      }),
    );
  });
});
