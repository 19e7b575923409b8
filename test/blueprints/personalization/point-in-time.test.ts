import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/demo/random.js';
import { StreamEngine } from '../../../src/engine/stream.js';
import { columnValue } from '../../../src/io/column-value.js';
import type { Table } from '../../../src/io/table.js';
import type { Candidate } from '../../../src/blueprints/personalization/candidates.js';
import { personalizationProject, RERANK_FEATURES } from '../../../src/blueprints/personalization/project.js';
import {
  backfillCandidateFeatures,
  CandidateSpine,
  featureDataset,
  liveCandidateFeatures,
} from '../../../src/blueprints/personalization/rerank-features.js';
import { DAY_MS, generateSessions, type SessionEvent } from '../../../src/blueprints/personalization/sessions.js';

const HOUR = 3_600_000;
const data = generateSessions({ users: 60, days: 5, seed: 3 });
const { events, catalog } = data;
const categoryOf = new Map(catalog.items.map((id, i) => [id, catalog.categoryOf[i]!]));
const candidate = (item: string, nightlyRank: number | null): Candidate => ({
  item_id: item,
  category: categoryOf.get(item)!,
  cooc_score: 0,
  nightly_score: 0,
  nightly_rank: nightlyRank,
});

/**
 * Training rows as the blueprint makes them: at sampled view events of days 3–4, the item
 * viewed (label 1, the row a leak would touch: its own event is at the row's time, same user,
 * session and item), an item seen earlier in the session, and random items.
 */
function makeSpine(): { spine: CandidateSpine; requests: { event: SessionEvent; candidates: Candidate[] }[] } {
  const random = new Random(5);
  const spine = new CandidateSpine();
  const requests: { event: SessionEvent; candidates: Candidate[] }[] = [];
  const sessionItems = new Map<string, string[]>();
  for (const e of events) {
    const seen = sessionItems.get(e.session_id) ?? [];
    if (e.event_type === 'view' && e.ts >= data.start + 3 * DAY_MS && random.next() < 0.15) {
      const candidates = [candidate(e.item_id, 1)];
      if (seen.length > 0 && seen[0] !== e.item_id) candidates.push(candidate(seen[0]!, null));
      for (let i = 0; i < 3; i++) candidates.push(candidate(catalog.items[random.int(catalog.items.length)]!, 2 + i));
      candidates.forEach((c, i) => spine.push(e, c, i === 0 ? 1 : 0));
      requests.push({ event: e, candidates });
    }
    sessionItems.set(e.session_id, [e.item_id, ...seen]);
  }
  return { spine, requests };
}

function valueAt(table: Table, name: string, row: number): unknown {
  return columnValue(table.columns.get(name)!, row);
}

/** A feature recomputed from scratch over the events strictly before `t`. */
function bruteForce(row: { ts: number; user_id: string; session_id: string; item_id: string; category: string }): Record<string, number> {
  const before = events.filter((e) => e.ts < row.ts);
  const inWindow = (e: SessionEvent, ms: number): boolean => e.ts >= row.ts - ms;
  const session = before.filter((e) => e.session_id === row.session_id);
  return {
    pop_1h: Math.log1p(before.filter((e) => e.item_id === row.item_id && inWindow(e, HOUR)).length),
    pop_24h: Math.log1p(before.filter((e) => e.item_id === row.item_id && inWindow(e, 24 * HOUR)).length),
    seen_in_session: session.filter((e) => e.item_id === row.item_id).length,
    session_length: session.length,
    same_category: session.length > 0 && session[session.length - 1]!.category === row.category ? 1 : 0,
    user_item_events: before.filter((e) => e.user_id === row.user_id && e.item_id === row.item_id && inWindow(e, 30 * DAY_MS)).length,
    user_category_24h: before.filter((e) => e.user_id === row.user_id && e.category === row.category && inWindow(e, 24 * HOUR)).length,
  };
}

describe("the re-ranker's training features", () => {
  const { spine, requests } = makeSpine();
  const table = backfillCandidateFeatures(events, spine.table());

  it('equal a recomputation from the events strictly before each row, so the labelled event never counts', () => {
    let positives = 0;
    for (let i = 0; i < table.length; i++) {
      const row = {
        ts: spine.ts[i]!,
        user_id: spine.user_id[i]!,
        session_id: spine.session_id[i]!,
        item_id: spine.item_id[i]!,
        category: spine.category[i]!,
      };
      const expected = bruteForce(row);
      const actual = Object.fromEntries(Object.keys(expected).map((name) => [name, valueAt(table, name, i)]));
      expect(actual, `row ${i}`).toEqual(expected);
      if (spine.label[i] === 1) positives++;
    }
    // Each positive row would read one more view of its item (in the session, by the user, in
    // the last hour) if the event it labels leaked into its features.
    expect(positives).toBeGreaterThanOrEqual(50);
  });

  it('do not change when the events after the rows are removed', () => {
    const last = Math.max(...spine.ts);
    const truncated = backfillCandidateFeatures(events.filter((e) => e.ts <= last), spine.table());
    const full = featureDataset(table);
    const cut = featureDataset(truncated);
    full.columns.forEach((column, j) => expect(cut.columns[j], RERANK_FEATURES[j]).toEqual(column));
  });

  it('equal what serving reads from the live engine at the same moments (no training/serving skew)', () => {
    const engine = new StreamEngine(personalizationProject);
    let next = 0;
    let row = 0;
    for (const { event, candidates } of requests) {
      while (events[next]!.ts < event.ts) engine.apply('interactions', events[next++]!);
      const live = liveCandidateFeatures(engine, event, candidates);
      for (let c = 0; c < candidates.length; c++, row++) {
        RERANK_FEATURES.forEach((name, j) => {
          const backfilled = table.columns.get(name)!;
          const expected = backfilled.type === 'number' ? backfilled.values[row]! : Number.NaN;
          expect(Object.is(live.columns[j]![c], expected), `${name} of row ${row}: live ${live.columns[j]![c]}, backfill ${expected}`).toBe(true);
        });
      }
    }
    expect(row).toBe(table.length);
  });
});
