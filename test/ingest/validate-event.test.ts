import { describe, expect, it } from 'vitest';
import { source } from '../../src/index.js';
import { validateEvent } from '../../src/ingest/index.js';

const clicks = source('clicks', {
  timestamp: 'ts',
  schema: { ts: 'timestamp', user: 'string', dwell: 'number', bounced: 'boolean', referrer: { type: 'string', nullable: true } },
});

describe('validateEvent', () => {
  it('normalises times, numbers and booleans from their text forms and keeps only schema fields', () => {
    expect(validateEvent(clicks, { ts: '2026-01-01T00:00:00Z', user: 'u1', dwell: '12.5', bounced: 'false', extra: 'dropped' })).toEqual({
      ok: true,
      event: { ts: Date.UTC(2026, 0, 1), user: 'u1', dwell: 12.5, bounced: false, referrer: null },
    });
    expect(validateEvent(clicks, { ts: 1_767_225_600_000, user: 42, dwell: 3, bounced: 1, referrer: 'x' })).toEqual({
      ok: true,
      event: { ts: 1_767_225_600_000, user: '42', dwell: 3, bounced: true, referrer: 'x' },
    });
  });

  it('says which field is wrong and how', () => {
    expect(validateEvent(clicks, { user: 'u1', dwell: 1, bounced: true })).toEqual({ ok: false, field: 'ts', reason: "field 'ts' is missing" });
    expect(validateEvent(clicks, { ts: 'yesterday', user: 'u1', dwell: 1, bounced: true })).toEqual({
      ok: false,
      field: 'ts',
      reason: `field 'ts' is "yesterday", not a timestamp (epoch milliseconds or ISO 8601)`,
    });
    expect(validateEvent(clicks, { ts: 0, user: 'u1', dwell: 'abc', bounced: true })).toMatchObject({ field: 'dwell', reason: `field 'dwell' is "abc", not a number` });
    expect(validateEvent(clicks, { ts: 0, user: 'u1', dwell: 1, bounced: 'maybe' })).toMatchObject({ field: 'bounced' });
    expect(validateEvent(clicks, { ts: 0, user: { id: 1 }, dwell: 1, bounced: true })).toMatchObject({ field: 'user' });
    expect(validateEvent(clicks, [1, 2])).toEqual({ ok: false, reason: 'an event must be a JSON object, got an array' });
    expect(validateEvent(clicks, null)).toEqual({ ok: false, reason: 'an event must be a JSON object, got null' });
  });
});
