import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approxDistinct, count, defineProject, entity, featureView, last, lastK, max, mean, min, source, std, StreamEngine, sum } from '../../src/index.js';
import { generateTransactions } from '../../src/demo/transactions.js';
import { columnValue } from '../../src/io/column-value.js';

// Lateness is measured against the newest event a state has seen: a partition sees fewer
// events than one engine that sees all, so the comparisons here allow enough that none is late.
const tx = source('tx', {
  timestamp: 'ts',
  allowedLateness: '1d',
  schema: { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number', country: 'string' },
});
const card = entity('card', { key: 'card' });
const merchant = entity('merchant', { key: 'merchant' });
const cardStats = featureView('card_stats', tx, { entity: card, features: {
  n: count({ window: '1h' }),
  total: sum('amount', { window: '1d' }),
  avg: mean('amount', { window: '1d' }),
  sd: std('amount', { window: '7d' }),
  top: max('amount', { window: '7d' }),
  countries: approxDistinct('country', { window: '1d' }),
  recent: lastK('merchant', { k: 3, window: '1d' }),
} });
const merchantStats = featureView('merchant_stats', tx, { entity: merchant, features: {
  n: count(),
  low: min('amount'),
  cards: approxDistinct('card'),
  lastCountry: last('country'),
  day: sum('amount', { window: '1d' }),
} });
const project = defineProject({ views: [cardStats, merchantStats] });
const VIEWS = [['card_stats', 'card'], ['merchant_stats', 'merchant']] as const;

function events(n: number, seed = 7): Record<string, unknown>[] {
  const table = generateTransactions({ events: n, cards: 60, merchants: 25, seed });
  const names = [...table.columns.keys()];
  const rows = Array.from({ length: table.length }, (_, i) => Object.fromEntries(names.map((c) => [c, columnValue(table.columns.get(c)!, i)])));
  for (let i = 0; i + 1 < rows.length; i += 5) [rows[i], rows[i + 1]] = [rows[i + 1]!, rows[i]!];
  return rows;
}

/** A toy partitioning: by the key's last character. */
const partitionOf = (key: string, partitions: number): number => key.charCodeAt(key.length - 1) % partitions;

function keysOf(all: readonly Record<string, unknown>[], field: string): string[] {
  return [...new Set(all.map((e) => String(e[field])))];
}

function expectSameReads(actual: StreamEngine, expected: StreamEngine, all: readonly Record<string, unknown>[], at: readonly number[]): void {
  for (const [view, field] of VIEWS) {
    for (const key of keysOf(all, field)) {
      for (const t of at) expect(actual.read(view, key, { at: t }), `${view} ${key} at ${t}`).toEqual(expected.read(view, key, { at: t }));
    }
  }
}

describe('entity states: partitioned application and loading one entity at a time', () => {
  it('partitions applying their own views, their changes loaded into a reader, read like one engine that applied everything', () => {
    const all = events(6_000);
    const whole = new StreamEngine(project);
    const partitions = [0, 1, 2].map(() => new StreamEngine(project, { trackChanges: true }));
    const reader = new StreamEngine(project);
    for (const [i, event] of all.entries()) {
      whole.apply('tx', event);
      for (const [p, engine] of partitions.entries()) {
        const only = new Set(VIEWS.filter(([, field]) => partitionOf(String(event[field]), 3) === p).map(([view]) => view));
        if (only.size > 0) engine.apply('tx', event, only);
      }
      if (i % 500 === 499 || i === all.length - 1) {
        for (const engine of partitions) for (const change of engine.takeChanges()) reader.loadEntity(change.view, change.key, change.state);
      }
    }
    for (const engine of partitions) expect(engine.takeChanges()).toEqual([]);
    expect(whole.rejectedCount).toBe(0);
    const end = whole.watermark('tx');
    expectSameReads(reader, whole, all, [end + 1, end - 5 * 60_000, end + 2 * 86_400_000]);
  });

  it('a partition rebuilt from its saved entities and progress goes on exactly as the one it replaces', () => {
    const all = events(4_000, 11);
    const half = all.length / 2;
    const straight = new StreamEngine(project, { trackChanges: true });
    const saved = new Map<string, string>();
    for (const event of all.slice(0, half)) straight.apply('tx', event);
    for (const change of straight.takeChanges()) saved.set(`${change.view}\u0000${change.key}`, change.state);
    const progress = straight.progress();
    for (const event of all.slice(half)) straight.apply('tx', event);

    const successor = new StreamEngine(project, { trackChanges: true });
    for (const [id, state] of saved) {
      const [view, key] = id.split('\u0000') as [string, string];
      successor.loadEntity(view, key, state);
    }
    successor.restoreProgress(progress);
    expect(successor.watermark('tx')).toBe(progress.watermarks.find(([s]) => s === 'tx')![1]);
    for (const event of all.slice(half)) successor.apply('tx', event);
    expect(successor.appliedCount).toBe(straight.appliedCount);
    const end = straight.watermark('tx');
    expectSameReads(successor, straight, all, [end + 1, end + 3_600_000]);
  });

  it('keeps the watermarks of progress it restores, also for sources this project does not have, and saves them again', () => {
    const engine = new StreamEngine(project);
    const at = Date.UTC(2026, 0, 10);
    expect(engine.progress().watermarks).toEqual([]);
    engine.restoreProgress({ watermarks: [['elsewhere', at - 5_000], ['tx', at]], applied: 3, rejected: 1 });
    expect(engine.watermark('tx')).toBe(at);
    expect(engine.watermark('elsewhere')).toBe(at - 5_000);
    expect(engine.watermark('never-seen')).toBe(-Infinity);
    expect(engine.progress()).toEqual({ watermarks: [['tx', at], ['elsewhere', at - 5_000]], applied: 3, rejected: 1 });
    // The restored watermark decides lateness (a day here) as an applied one would.
    const late = engine.apply('tx', { ts: at - 86_400_000 - 1, card: 'c1', merchant: 'm1', amount: 1, country: 'FR' });
    expect(late.status).toBe('rejected');
    engine.apply('tx', { ts: at + 2_000, card: 'c1', merchant: 'm1', amount: 1, country: 'FR' });
    expect(engine.watermark('tx')).toBe(at + 2_000);
    // Restoring again replaces every watermark, the foreign ones too.
    engine.restoreProgress({ watermarks: [], applied: 0, rejected: 0 });
    expect(engine.progress().watermarks).toEqual([]);
    expect(engine.watermark('tx')).toBe(-Infinity);
  });

  it('loading over an entity replaces its whole state, however much it held; no state empties it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 400 }), (heldEvents, loadedEvents) => {
        const at = Date.UTC(2026, 0, 2);
        const fill = (engine: StreamEngine, n: number, amount: number): void => {
          for (let i = 0; i < n; i++) engine.apply('tx', { ts: at - 3_600_000 + i * 1_000, card: 'c1', merchant: `m${i % 7}`, amount: amount + i, country: i % 2 === 0 ? 'FR' : 'DE' });
        };
        const reader = new StreamEngine(project);
        fill(reader, heldEvents, 1_000);
        const source = new StreamEngine(project, { trackChanges: true });
        fill(source, loadedEvents, 5);
        const change = source.takeChanges().find((c) => c.view === 'card_stats');
        reader.loadEntity('card_stats', 'c1', change?.state);
        const empty = new StreamEngine(project);
        expect(reader.read('card_stats', 'c1', { at })).toEqual((loadedEvents > 0 ? source : empty).read('card_stats', 'c1', { at }));
        // And it goes on like the source after one more event.
        const next = { ts: at - 1, card: 'c1', merchant: 'mx', amount: 3, country: 'ES' };
        reader.apply('tx', next);
        (loadedEvents > 0 ? source : empty).apply('tx', next);
        expect(reader.read('card_stats', 'c1', { at })).toEqual((loadedEvents > 0 ? source : empty).read('card_stats', 'c1', { at }));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a saved state that does not fit the view, naming both', () => {
    const engine = new StreamEngine(project);
    expect(() => engine.loadEntity('card_stats', 'c1', JSON.stringify({ s: [] }))).toThrow("does not match the view's");
    expect(() => engine.loadEntity('nope', 'c1', undefined)).toThrow("unknown feature view 'nope'");
  });
});
