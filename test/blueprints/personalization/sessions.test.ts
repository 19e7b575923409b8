import { describe, expect, it } from 'vitest';
import { CoOccurrence } from '../../../src/blueprints/personalization/co-occurrence.js';
import { eventsBefore, runNightly } from '../../../src/blueprints/personalization/nightly.js';
import { DAY_MS, generateSessions } from '../../../src/blueprints/personalization/sessions.js';

const data = generateSessions({ users: 80, days: 6, seed: 4 });
const { events, catalog } = data;

describe('generated browsing sessions', () => {
  it('are the same for a seed and in strict time order', () => {
    expect(generateSessions({ users: 80, days: 6, seed: 4 }).events).toEqual(events);
    expect(generateSessions({ users: 80, days: 6, seed: 5 }).events).not.toEqual(events);
    for (let i = 1; i < events.length; i++) expect(events[i]!.ts).toBeGreaterThan(events[i - 1]!.ts);
  });

  it('have a short-term intent: sessions stay in one category, often not the user’s usual one', () => {
    const bySession = new Map<string, string[]>();
    const byUser = new Map<string, Map<string, number>>();
    for (const e of events) {
      if (e.event_type !== 'view') continue;
      bySession.set(e.session_id, [...(bySession.get(e.session_id) ?? []), e.category]);
      const counts = byUser.get(e.user_id) ?? new Map<string, number>();
      counts.set(e.category, (counts.get(e.category) ?? 0) + 1);
      byUser.set(e.user_id, counts);
    }
    let same = 0;
    let steps = 0;
    for (const categories of bySession.values()) {
      for (let i = 1; i < categories.length; i++, steps++) if (categories[i] === categories[i - 1]) same++;
    }
    expect(same / steps).toBeGreaterThan(0.6);
    let outside = 0;
    const sessionUser = new Map(events.map((e) => [e.session_id, e.user_id]));
    for (const [session, categories] of bySession) {
      const counts = [...byUser.get(sessionUser.get(session)!)!].sort((a, b) => b[1] - a[1]);
      const usual = counts.slice(0, 3).map(([c]) => c);
      if (!usual.includes(categories[0]!)) outside++;
    }
    expect(outside / bySession.size).toBeGreaterThan(0.2);
  });

  it('carry carts and purchases of items viewed just before', () => {
    const types = new Set(events.map((e) => e.event_type));
    expect([...types].sort()).toEqual(['cart', 'purchase', 'view']);
  });
});

describe('the nightly job', () => {
  it('reads only the history before its run time', () => {
    const at = data.start + 4 * DAY_MS;
    const cooc = new CoOccurrence();
    for (const e of events.slice(0, eventsBefore(events, at))) cooc.observe(e.session_id, e.item_id, e.ts);
    const withFuture = runNightly(events, catalog, cooc, at);
    const historyOnly = runNightly(events.filter((e) => e.ts < at), catalog, cooc, at);
    for (const user of new Set(events.map((e) => e.user_id))) {
      expect(withFuture.forUser(user)).toEqual(historyOnly.forUser(user));
    }
    expect(withFuture.forUser(events[0]!.user_id).items).toHaveLength(50);
  });
});
