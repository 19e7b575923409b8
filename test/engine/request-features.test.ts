import { describe, expect, it } from 'vitest';
import { backfillRows, count, defineProject, entity, featureView, mean, requestFeatures, source, StreamEngine } from '../../src/index.js';

const payments = source('payments', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', amount: 'number' } });
const cardStats = featureView('card_stats', payments, { entity: entity('card', { key: 'card' }), features: {
  n_1h: count({ window: '1h' }),
  avg_1d: mean('amount', { window: '1d' }),
} });
const request = requestFeatures('payment_request', {
  request: { amount: 'number', channel: 'string' },
  views: [cardStats],
  features: {
    vs_avg: (r) => (r.avg_1d === null ? null : r.amount / r.avg_1d),
    first_in_hour: (r) => r.n_1h === 0,
    online: (r) => r.channel === 'web',
  },
});
const project = defineProject({ views: [cardStats], requestFeatures: [request] });
const H = 3_600_000;
const events = [
  { ts: 0, card: 'c1', amount: 10 },
  { ts: H / 2, card: 'c1', amount: 30 },
  { ts: 2 * H, card: 'c2', amount: 5 },
];

describe('request-time features', () => {
  it('are computed from the spine row and the views, the same in backfill and in the stream', () => {
    const spine = [
      { card: 'c1', ts: H, amount: 40, channel: 'web' },
      { card: 'c1', ts: 3 * H, amount: 10, channel: 'pos' },
      { card: 'c9', ts: H, amount: 1, channel: 'web' },
    ];
    const rows = backfillRows(project, { views: ['payment_request'], events, spine });
    expect(rows).toEqual([
      { ...spine[0], vs_avg: 2, first_in_hour: false, online: true },
      { ...spine[1], vs_avg: 0.5, first_in_hour: true, online: false },
      { ...spine[2], vs_avg: null, first_in_hour: true, online: true },
    ]);
    const engine = new StreamEngine(project);
    for (const event of events) engine.apply('payments', event);
    for (const [i, row] of spine.entries()) {
      if (row.ts < 2 * H - 60_000) continue; // older than the stream keeps (watermark − lateness)
      const { card: _card, ts: _ts, ...rest } = rows[i]!;
      expect({ ...row, ...engine.requestFeatures('payment_request', row, { at: row.ts }) }).toEqual({ ...row, ...rest });
    }
  });

  it('name the spine column a request field needs when it is missing', () => {
    expect(() => backfillRows(project, { views: ['payment_request'], events, spine: [{ card: 'c1', ts: H, amount: 1 }] })).toThrow(
      "the spine has no column 'channel' (request field of request features 'payment_request')",
    );
  });

  it('name the feature whose function throws, and the spine row', () => {
    const failing = requestFeatures('failing', {
      request: { amount: 'number' },
      features: {
        boom: (r) => {
          if (r.amount > 5) throw new Error('too big');
          return r.amount;
        },
      },
    });
    const p = defineProject({ views: [cardStats], requestFeatures: [failing] });
    expect(() => backfillRows(p, { views: ['failing'], events, spine: [{ card: 'c1', ts: H, amount: 1 }, { card: 'c1', ts: H, amount: 9 }] })).toThrow(
      "spine row 2: request features 'failing', feature 'boom' threw: too big",
    );
  });
});

describe('stream rejections', () => {
  it('keep the event and say what is wrong: bad time, missing key, a value the aggregation cannot use', () => {
    const engine = new StreamEngine(project);
    expect(engine.apply('payments', { ts: 'yesterday', card: 'c1', amount: 1 })).toMatchObject({ status: 'rejected', code: 'TANDEM_INVALID_EVENT' });
    expect(engine.apply('payments', { ts: 0, amount: 1 })).toMatchObject({ status: 'rejected', code: 'TANDEM_INVALID_KEY', reason: "entity 'card' key field 'card' is missing" });
    expect(engine.apply('payments', { ts: 0, card: 'c1', amount: 'ten' })).toMatchObject({ status: 'rejected', code: 'TANDEM_FEATURE_VALUE' });
    expect(engine.rejectedCount).toBe(3);
    expect(engine.rejected.map((r) => r.event)).toEqual([
      { ts: 'yesterday', card: 'c1', amount: 1 },
      { ts: 0, amount: 1 },
      { ts: 0, card: 'c1', amount: 'ten' },
    ]);
    expect(engine.read('card_stats', 'c1', { at: 1 })).toEqual({ n_1h: 0, avg_1d: null }); // nothing half-applied
    expect(engine.apply('payments', { ts: '2026-01-01T00:00:00Z', card: 'c1', amount: 1 })).toEqual({ status: 'applied' });
  });
});
