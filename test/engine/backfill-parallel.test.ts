import { describe, expect, it } from 'vitest';
import { approxDistinct, backfill, backfillParallel, count, defineProject, entity, featureView, lastK, max, mean, ratio, releaseBackfillMemory, source, std } from '../../src/index.js';
import { generateTransactions } from '../../src/demo/transactions.js';
import { plainArena, sharedArena } from '../../src/engine/buffer-arena.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';
import type { Table } from '../../src/io/table.js';

const tx = source('transactions', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number', country: 'string' } });

describe('backfillParallel', () => {
  it('gives the same bits as backfill, with windows on worker threads and the rest on the main thread', async () => {
    const byCard = featureView('by_card', tx, { entity: entity('card', { key: 'card' }), features: {
      n: count({ window: '1h' }),
      avg: mean('amount', { window: '1d' }),
      sd: std('amount', { window: '7d' }),
      small: ratio((e) => e.amount < 5, { window: '1d' }),
      recent: lastK('country', { k: 3, window: '1d' }), // strings: swept on the main thread
    } });
    const byMerchant = featureView('by_merchant', tx, { entity: entity('merchant', { key: 'merchant' }), features: {
      top: max('amount', { window: '7d' }),
      cards: approxDistinct('card', { window: '1d' }),
    } });
    const project = defineProject({ views: [byCard, byMerchant] });
    const events = generateTransactions({ events: 50_000, cards: 400, merchants: 60 });
    const options = { views: ['by_card', 'by_merchant'], events, spine: 'events' as const };
    const serial = backfill(project, options).table;
    const parallel = (await backfillParallel(project, { ...options, threads: 2 })).table;
    expect([...parallel.columns.keys()]).toEqual([...serial.columns.keys()]);
    for (const [name, column] of serial.columns) expect(parallel.columns.get(name), name).toEqual(column);
  });

  it('gives the same bits when the workers share a view of fewer entities than chunks, or of one', async () => {
    // Numbers only: every window fuses, and the workers claim the view's entities chunk by chunk.
    const byCountry = featureView('by_country', tx, { entity: entity('country', { key: 'country' }), features: {
      n: count({ window: '1h' }),
      avg: mean('amount', { window: '1d' }),
      top: max('amount', { window: '7d' }),
    } });
    const project = defineProject({ views: [byCountry] });
    for (const countries of [3, 1]) {
      const base = generateTransactions({ events: 30_000, cards: 200, merchants: 30, seed: 11 });
      const ts = base.columns.get('ts')!;
      const amount = base.columns.get('amount')!;
      if (ts.type !== 'timestamp' || amount.type !== 'number') throw new Error('unexpected columns');
      const events = tableFromRows(
        Array.from({ length: base.length }, (_, i) => ({ ts: ts.values[i], card: 'c', merchant: 'm', amount: amount.values[i], country: `k${i % countries}` })),
        { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number', country: 'string' },
      );
      const options = { views: ['by_country'], events, spine: 'events' as const };
      const serial = backfill(project, options).table;
      const parallel = (await backfillParallel(project, { ...options, threads: 2 })).table;
      for (const [name, column] of serial.columns) expect(parallel.columns.get(name), `${name} (${countries} countries)`).toEqual(column);
    }
  });

  it('gives the same bits for a spine of its own, with keyless rows and entities without events, on reused working memory', async () => {
    const byCard = featureView('by_card', tx, { entity: entity('card', { key: 'card' }), features: {
      n: count({ window: '1h' }),
      avg: mean('amount', { window: '1d' }),
      top: max('amount', { window: '7d' }),
      merchants: approxDistinct('merchant', { window: '7d' }),
      life: count(),
    } });
    const byPair = featureView('by_pair', tx, { entity: entity('pair', { key: ['card', 'merchant'] }), features: {
      pair_n: count({ window: '1d' }),
      pair_sd: std('amount', { window: '7d' }),
      pair_recent: lastK('country', { k: 2, window: '7d' }), // strings: the window runs on the main thread
    } });
    const project = defineProject({ views: [byCard, byPair] });
    const nameOf = (events: Table, field: string): readonly string[] => {
      const column = events.columns.get(field);
      if (column?.type !== 'string') throw new Error(`${field} is not a string column`);
      return column.dictionary;
    };
    for (const [seed, rows] of [[3, 60_000], [5, 40_000]] as const) {
      // The second pass runs on the buffers the first one left in the arena.
      const events = generateTransactions({ events: rows, cards: 300, merchants: 40, seed });
      const cards = nameOf(events, 'card');
      const merchants = nameOf(events, 'merchant');
      const start = Date.UTC(2026, 0, 1);
      const spine = tableFromRows(
        Array.from({ length: 8_000 }, (_, i) => ({
          ts: start - 86_400_000 + ((i * 7_919_333) % (62 * 86_400_000)),
          card: i % 50 === 0 ? null : i % 37 === 0 ? 'no-such-card' : cards[(i * 31) % cards.length],
          merchant: i % 45 === 0 ? null : merchants[(i * 17) % merchants.length],
        })),
        { ts: 'timestamp', card: 'string', merchant: 'string' },
      );
      const options = { views: ['by_card', 'by_pair'], events, spine };
      const serial = backfill(project, options).table;
      const parallel = (await backfillParallel(project, { ...options, threads: 2 })).table;
      for (const [name, column] of serial.columns) expect(parallel.columns.get(name), `${name} (seed ${seed})`).toEqual(column);
    }
  });

  it('reuses a released result\'s columns for the next backfill, with the same bits as on fresh memory', async () => {
    const byCard = featureView('by_card', tx, { entity: entity('card', { key: 'card' }), features: {
      n: count({ window: '1h' }),
      avg: mean('amount', { window: '1d' }),
      top: max('amount', { window: '7d' }),
    } });
    const byPair = featureView('by_pair', tx, { entity: entity('pair', { key: ['card', 'merchant'] }), features: {
      pair_n: count({ window: '1d' }),
      pair_sd: std('amount', { window: '7d' }),
    } });
    const project = defineProject({ views: [byCard, byPair] });
    const events = generateTransactions({ events: 40_000, cards: 300, merchants: 40, seed: 9 });
    const card = events.columns.get('card');
    const merchant = events.columns.get('merchant');
    if (card?.type !== 'string' || merchant?.type !== 'string') throw new Error('unexpected columns');
    // Rows with a null key part keep the empty values, which a reused column does not hold.
    const spine = tableFromRows(
      Array.from({ length: 40_000 }, (_, i) => ({
        ts: Date.UTC(2026, 0, 1) + ((i * 7_919_333) % (50 * 86_400_000)),
        card: i % 20 === 0 ? null : card.dictionary[(i * 31) % card.dictionary.length],
        merchant: i % 45 === 0 ? null : merchant.dictionary[(i * 17) % merchant.dictionary.length],
      })),
      { ts: 'timestamp', card: 'string', merchant: 'string' },
    );
    const numbers = (table: Table): Float64Array[] =>
      [...table.columns.values()].flatMap((column) => (column.type === 'number' && column.values instanceof Float64Array ? [column.values] : []));
    const options = { views: ['by_card', 'by_pair'], events, spine };
    const drivers = [
      { name: 'one thread', arena: plainArena, run: async () => backfill(project, options) },
      { name: 'two threads', arena: sharedArena, run: () => backfillParallel(project, { ...options, threads: 2 }) },
    ];
    for (const { name, arena, run } of drivers) {
      releaseBackfillMemory();
      const fresh = await run();
      const first = await run();
      for (const column of numbers(first.table)) column.fill(-7.25);
      first.release();
      const idle = arena.idleBytes;
      const second = await run();
      for (const [feature, column] of fresh.table.columns) expect(second.table.columns.get(feature), `${feature} (${name})`).toEqual(column);
      second.release();
      // Nothing new was allocated: every array came from the arena and went back to it.
      expect(arena.idleBytes, name).toBe(idle);
      const third = await run();
      second.release(); // a second call hands back nothing, so the next run cannot take the live result's columns
      const fourth = await run();
      const thirds = new Set(numbers(third.table).map((column) => column.buffer));
      expect(numbers(fourth.table).some((column) => thirds.has(column.buffer)), name).toBe(false);
      for (const [feature, column] of fresh.table.columns) {
        expect(third.table.columns.get(feature), `${feature} (${name})`).toEqual(column);
        expect(fourth.table.columns.get(feature), `${feature} (${name})`).toEqual(column);
      }
    }
    releaseBackfillMemory();
  });
});
