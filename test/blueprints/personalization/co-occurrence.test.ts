import { describe, expect, it } from 'vitest';
import { CoOccurrence } from '../../../src/blueprints/personalization/co-occurrence.js';
import { generateSessions } from '../../../src/blueprints/personalization/sessions.js';

const HOUR = 3_600_000;

describe('live item co-occurrence', () => {
  it('counts items seen together in a session, not across sessions', () => {
    const cooc = new CoOccurrence();
    cooc.observe('s1', 'a', 0);
    cooc.observe('s1', 'b', 1_000);
    cooc.observe('s2', 'c', 2_000);
    expect(cooc.neighbours('a', 5)).toEqual(['b']);
    expect(cooc.neighbours('c', 5)).toEqual([]);
    expect(cooc.score('b', ['a'], 3_000)).toBeGreaterThan(0);
    expect(cooc.score('c', ['a'], 3_000)).toBe(0);
  });

  it('lets recent pairs outweigh older, more frequent ones', () => {
    const cooc = new CoOccurrence({ halfLifeMs: 24 * HOUR });
    for (let s = 0; s < 4; s++) {
      cooc.observe(`old${s}`, 'a', s * 1_000);
      cooc.observe(`old${s}`, 'b', s * 1_000 + 500);
    }
    const later = 5 * 24 * HOUR; // five half-lives: each old pair weighs 1/32
    cooc.observe('new', 'a', later);
    cooc.observe('new', 'c', later + 500);
    expect(cooc.neighbours('a', 2)).toEqual(['c', 'b']);
    expect(cooc.score('c', ['a'], later + 1_000)).toBeGreaterThan(cooc.score('b', ['a'], later + 1_000));
  });

  it('forgets a session after its timeout, so a returning user starts new pairs', () => {
    const cooc = new CoOccurrence({ sessionTimeoutMs: HOUR });
    cooc.observe('s', 'a', 0);
    cooc.observe('s', 'b', 2 * HOUR);
    expect(cooc.neighbours('a', 5)).toEqual([]);
  });

  it('answers during a replay exactly as a structure built from the earlier events alone', () => {
    const { events } = generateSessions({ users: 40, days: 3, seed: 9 });
    const live = new CoOccurrence();
    const checks = [500, 1_500, 2_500, events.length - 1];
    events.forEach((e, n) => {
      if (checks.includes(n)) {
        const fresh = new CoOccurrence();
        for (const earlier of events.slice(0, n)) fresh.observe(earlier.session_id, earlier.item_id, earlier.ts);
        const context = events.slice(n - 3, n).map((x) => x.item_id);
        expect(live.score(e.item_id, context, e.ts)).toBe(fresh.score(e.item_id, context, e.ts));
        expect(live.neighbours(context[2]!, 10)).toEqual(fresh.neighbours(context[2]!, 10));
      }
      live.observe(e.session_id, e.item_id, e.ts);
    });
  });
});
