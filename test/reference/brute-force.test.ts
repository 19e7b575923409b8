import { describe, expect, it } from 'vitest';
import {
  approxDistinct,
  count,
  defineProject,
  entity,
  featureView,
  last,
  lastK,
  max,
  mean,
  min,
  ratio,
  requestFeatures,
  source,
  std,
  sum,
  variance,
} from '../../src/index.js';
import { schema, type Tx } from '../fixtures/tx-schema.js';
import { referenceAdmission, referenceBackfill, referenceFeatures, type Row } from './brute-force.js';

const tx = source('tx', { timestamp: 'ts', allowedLateness: 10, schema });
const user = entity('user', { key: 'user' });
const route = entity('route', { key: ['a', 'b'] });

const w10 = { window: 10 } as const;
const stats = featureView('stats', tx, {
  entity: user,
  features: {
    n: count(w10),
    n_amount: count('amount', w10),
    total: sum('amount', w10),
    avg: mean('amount', w10),
    low: min('amount', w10),
    high: max('amount', w10),
    var: variance('amount', w10),
    sd: std('amount', w10),
    newest: last('amount', w10),
    newest3: lastK('amount', { window: 10, k: 3 }),
    cats: approxDistinct('cat', w10),
    n_life: count(),
    total_life: sum('amount'),
  },
});
const flags = featureView('flags', tx, {
  entity: user,
  features: {
    flag_sum: sum('flag'),
    flag_mean: mean('flag'),
    flag_count: count('flag'),
    flag_last: last('flag'),
    flag_ratio: ratio((e: Tx) => e.flag),
    doubled: sum((e: Tx) => (e.amount === null ? NaN : e.amount * 2)),
    big_only: count((e: Tx) => (e.amount !== null && e.amount > 5 ? e.amount : undefined)),
    label: last((e: Tx) => (e.cat === null ? null : `${e.cat}!`)),
  },
});
const routes = featureView('routes', tx, {
  entity: route,
  features: { route_n: count(), route_total: sum('amount') },
});
const project = defineProject({ views: [stats, flags, routes] });

let nextId = 0;
function ev(ts: number, fields: Partial<{ user: string; a: string; b: number; amount: number | null; flag: boolean | null; cat: string | null }> = {}): Row {
  return { ts, user: 'u1', a: 'x', b: 1, amount: null, flag: null, cat: null, id: nextId++, ...fields };
}

describe('the brute-force reference', () => {
  it('counts an event exactly at t − w and excludes one exactly at t', () => {
    const events = [ev(89), ev(90), ev(95), ev(99), ev(100), ev(101)];
    expect(referenceFeatures(stats, events, 'u1', 100)['n']).toBe(3); // 90, 95, 99
    expect(referenceFeatures(stats, events, 'u1', 90)['n']).toBe(1); // 89 only: [80, 90)
    expect(referenceFeatures(stats, events, 'u1', 101)['n']).toBe(3); // [91, 101): 95, 99, 100
    expect(referenceFeatures(stats, events, 'u1', 111)['n']).toBe(1); // [101, 111): 101
    expect(referenceFeatures(stats, events, 'u1', 100)['n_life']).toBe(4); // 89, 90, 95, 99
  });

  it('answers an empty window with 0 for counts, sums and distinct counts, null for the rest, [] for lastK', () => {
    const events = [ev(10, { amount: 5, cat: 'a' })];
    expect(referenceFeatures(stats, events, 'u1', 50)).toEqual({
      n: 0,
      n_amount: 0,
      total: 0,
      avg: null,
      low: null,
      high: null,
      var: null,
      sd: null,
      newest: null,
      newest3: [],
      cats: 0,
      n_life: 1,
      total_life: 5,
    });
    expect(referenceFeatures(stats, events, 'nobody', 50)['n_life']).toBe(0);
    expect(referenceFeatures(stats, events, 'u1', 10)['total_life']).toBe(0);
  });

  it('skips null inputs but counts their events with count()', () => {
    const events = [ev(1, { amount: 1, cat: 'a' }), ev(2, { amount: null, cat: 'b' }), ev(3, { amount: 3, cat: 'a' }), ev(4)];
    expect(referenceFeatures(stats, events, 'u1', 5)).toEqual({
      n: 4,
      n_amount: 2,
      total: 4,
      avg: 2,
      low: 1,
      high: 3,
      var: 1,
      sd: 1,
      newest: 3,
      newest3: [3, 1],
      cats: 2,
      n_life: 4,
      total_life: 4,
    });
  });

  it('counts booleans as 1 and 0 and treats null, undefined and NaN from functions as missing', () => {
    const events = [
      ev(1, { flag: true, amount: 10, cat: 'a' }),
      ev(2, { flag: false, amount: null }),
      ev(3, { flag: true, amount: 2, cat: 'b' }),
      ev(4, { flag: null, amount: 7 }),
    ];
    expect(referenceFeatures(flags, events, 'u1', 5)).toEqual({
      flag_sum: 2,
      flag_mean: 2 / 3,
      flag_count: 3,
      flag_last: true,
      flag_ratio: 2 / 3,
      doubled: 38,
      big_only: 2,
      label: 'b!',
    });
  });

  it('computes population variance with two passes, exact for large offsets', () => {
    const events = [ev(1, { amount: 1e9 + 1 }), ev(2, { amount: 1e9 + 2 }), ev(3, { amount: 1e9 + 3 })];
    const values = referenceFeatures(stats, events, 'u1', 4);
    expect(values['var']).toBe(2 / 3);
    expect(values['sd']).toBe(Math.sqrt(2 / 3));
    expect(values['avg']).toBe(1e9 + 2);
  });

  it('breaks ties at one instant by arrival order and otherwise orders by event time', () => {
    const tie = [ev(5, { amount: 1 }), ev(5, { amount: 2 }), ev(4, { amount: 3 })];
    const values = referenceFeatures(stats, tie, 'u1', 6);
    expect(values['newest']).toBe(2);
    expect(values['newest3']).toEqual([2, 1, 3]);
    // The later event in time is newer even when it arrived first.
    const outOfOrder = [ev(7, { amount: 1 }), ev(6, { amount: 2 }), ev(6, { amount: null })];
    expect(referenceFeatures(stats, outOfOrder, 'u1', 8)['newest3']).toEqual([1, 2]);
    // lastK keeps the k newest only.
    const many = [1, 2, 3, 4, 5].map((x) => ev(x, { amount: x * 10 }));
    expect(referenceFeatures(stats, many, 'u1', 6)['newest3']).toEqual([50, 40, 30]);
  });

  it('keeps composite keys apart and accepts them as objects', () => {
    const events = [ev(1, { a: 'x', b: 1, amount: 1 }), ev(2, { a: 'x', b: 2, amount: 2 }), ev(3, { a: 'y', b: 1, amount: 4 }), ev(4, { a: 'x', b: 1, amount: 8 })];
    expect(referenceFeatures(routes, events, { a: 'x', b: 1 }, 10)).toEqual({ route_n: 2, route_total: 9 });
    expect(referenceFeatures(routes, events, { a: 'y', b: 1 }, 10)).toEqual({ route_n: 1, route_total: 4 });
    expect(referenceFeatures(routes, events, { a: 'y', b: 2 }, 10)).toEqual({ route_n: 0, route_total: 0 });
    expect(() => referenceFeatures(routes, events, 'x', 10)).toThrow(/composite/);
  });

  it('counts exact distinct values of the input', () => {
    const events = [ev(1, { cat: 'a' }), ev(2, { cat: 'b' }), ev(3, { cat: 'a' }), ev(4, { cat: null })];
    expect(referenceFeatures(stats, events, 'u1', 5)['cats']).toBe(2);
    expect(referenceFeatures(stats, events, 'u1', 2)['cats']).toBe(1);
  });

  it('backfills spine rows as spine columns then each view’s features in definition order', () => {
    const events = [ev(1, { amount: 1 }), ev(2, { amount: 2, user: 'u2', b: 2 }), ev(3, { amount: 4 })];
    const rows = referenceBackfill(project, ['routes', 'stats'], events, [
      { user: 'u1', a: 'x', b: 1, ts: 3, label: 'first' },
      { user: 'u2', a: 'x', b: 2, ts: 100, label: 'second' },
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual(['user', 'a', 'b', 'ts', 'label', 'route_n', 'route_total', ...stats.featureNames]);
    expect(rows[0]).toMatchObject({ label: 'first', route_n: 1, route_total: 1, n: 1, total: 1, n_life: 1 });
    expect(rows[1]).toMatchObject({ label: 'second', route_n: 1, route_total: 2, n: 0, total: 0, newest: null, n_life: 1 });
    const byName = referenceBackfill(project, ['routes'], { tx: events }, [{ user: 'u1', a: 'x', b: 1, at: 3 }], { spineTimestamp: 'at' });
    expect(byName[0]).toMatchObject({ route_n: 1, route_total: 1 });
  });

  it('with spine "events" reads each event as of its own time, never seeing itself or its instant', () => {
    const events = [ev(1, { amount: 1 }), ev(2, { amount: 2 }), ev(2, { amount: 4 }), ev(3, { amount: 8 })];
    const rows = referenceBackfill(project, ['routes'], events, 'events');
    expect(rows.map((r) => r['route_total'])).toEqual([0, 1, 1, 7]);
    expect(rows[1]).toMatchObject({ ...events[1], route_n: 1 });
  });

  it('computes request features from the spine row and the input views', () => {
    const scaled = requestFeatures('scaled', {
      request: { factor: 'number' },
      views: [routes],
      features: { scaled_total: (row) => Number(row.route_total) * Number(row.factor), nothing: () => NaN },
    });
    const withRequest = defineProject({ views: [routes], requestFeatures: [scaled] });
    const rows = referenceBackfill(withRequest, ['scaled'], [ev(1, { amount: 3 })], [{ a: 'x', b: 1, ts: 2, factor: 2 }]);
    expect(rows).toEqual([{ a: 'x', b: 1, ts: 2, factor: 2, scaled_total: 6, nothing: null }]);
  });

  it('rejects exactly the events earlier than watermark − allowed lateness, per source', () => {
    const times = [100, 95, 89, 90, 120, 109, 110, 130];
    const arrivals = times.map((t) => ({ source: 'tx', event: ev(t) }));
    const { accepted, watermarks } = referenceAdmission(project, arrivals);
    expect(accepted).toEqual([true, true, false, true, true, false, true, true]);
    expect(watermarks.map((w) => w['tx'])).toEqual([100, 100, 100, 100, 120, 120, 120, 130]);
  });
});
