import { describe, expect, it } from 'vitest';
import { backfill, count, defineProject, entity, featureView, max, mean, source } from '../../src/index.js';
import { generateTransactions } from '../../src/demo/transactions.js';

describe('backfill progress', () => {
  it('reports rows swept, rising to the total once every window of every view is done', () => {
    const tx = source('transactions', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number' } });
    const byCard = featureView('by_card', tx, { entity: entity('card', { key: 'card' }), features: { n: count({ window: '1h' }), avg: mean('amount', { window: '1d' }) } });
    const byMerchant = featureView('by_merchant', tx, { entity: entity('merchant', { key: 'merchant' }), features: { top: max('amount', { window: '7d' }) } });
    const project = defineProject({ views: [byCard, byMerchant] });
    const events = generateTransactions({ events: 600_000, cards: 300, merchants: 50 });
    const calls: [number, number][] = [];
    backfill(project, { views: ['by_card', 'by_merchant'], events, spine: 'events', onProgress: (done, total) => calls.push([done, total]) });
    const total = 600_000 * 3; // three windows in all
    expect(calls.every(([, t]) => t === total)).toBe(true);
    expect(calls.at(-1)).toEqual([total, total]);
    expect(calls.length).toBeGreaterThan(3); // within windows too, not only between them
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
  });
});
