import { describe, expect, it } from 'vitest';
import { approxDistinct, backfill, backfillParallel, count, defineProject, entity, featureView, lastK, max, mean, ratio, source, std } from '../../src/index.js';
import { generateTransactions } from '../../src/demo/transactions.js';

describe('backfillParallel', () => {
  it('gives the same bits as backfill, with windows on worker threads and the rest on the main thread', async () => {
    const tx = source('transactions', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number', country: 'string' } });
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
});
