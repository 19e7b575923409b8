import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/advise/profile.js';

describe('the advise profile', () => {
  it('fills documented defaults in base units', () => {
    const p = parseProfile({});
    expect(p).toMatchObject({ latencyMs: 1000, freshnessMs: 3_600_000, eventsPerSecond: { peak: 100, average: 20 }, predictionsPerSecond: 100, audit: 'none', drift: 'moderate', task: 'classification', budgetPerMonth: null });
    // 90 days of 20 events/s, 500 bytes an event.
    expect(p.dataVolume.rows).toBe(20 * 90 * 86_400);
    expect(p.dataVolume.gb).toBeCloseTo((20 * 90 * 86_400 * 500) / 1e9, 6);
  });

  it('reads durations, a single events/s figure, and history in GB', () => {
    const p = parseProfile({ latency: '50ms', freshness: 5000, eventsPerSecond: 300, dataVolume: { gb: 2, eventBytes: 200 } });
    expect(p.latencyMs).toBe(50);
    expect(p.freshnessMs).toBe(5000);
    expect(p.eventsPerSecond).toEqual({ peak: 300, average: 300 });
    expect(p.dataVolume.rows).toBe(10_000_000);
  });

  it('names the field and quotes the value of an invalid entry', () => {
    expect(() => parseProfile({ audit: 'strict' })).toThrow("profile field 'audit': 'strict' is not valid (one of none, explainability, regulated)");
    expect(() => parseProfile({ freshness: 'soon' })).toThrow("profile field 'freshness': 'soon' is not a duration");
    expect(() => parseProfile({ eventsPerSecond: { peak: -5 } })).toThrow(/profile field 'eventsPerSecond.peak': -5 is not valid/);
    expect(() => parseProfile({ teamSkills: ['sql', 'cobol'] })).toThrow(/profile field 'teamSkills\[1\]': 'cobol' is not valid \(one of sql, streaming/);
    expect(() => parseProfile({ eventsPerSecond: { peak: 10, average: 20 } })).toThrow("profile field 'eventsPerSecond.average': 20 is above the peak 10");
    expect(() => parseProfile({ latncy: '1s' })).toThrow(/profile has unknown field 'latncy'; the fields are latency, /);
  });

  it('errors carry the usage code', () => {
    try {
      parseProfile({ drift: 'sideways' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'TANDEM_USAGE', details: { field: 'drift', value: 'sideways' } });
    }
  });
});
