/**
 * The stream's online state at scale: thousands of entities (many chunks of records), rings
 * that outgrow their inline space and move, every aggregation kind — against backfill, bit
 * for bit, and through snapshots.
 */
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { StreamEngine, backfillRows } from '../../src/engine/index.js';
import { approxDistinct, count, defineProject, entity, featureView, last, lastK, max, mean, min, source, std, sum } from '../../src/index.js';
import { schema } from '../fixtures/tx-schema.js';

const tx = source('tx', { timestamp: 'ts', allowedLateness: '2m', schema });
const kinds = (p: string, window?: '10m' | '1h') => {
  const o = window === undefined ? {} : { window };
  return {
    [`${p}_n`]: count(o),
    [`${p}_sum`]: sum('amount', o),
    [`${p}_mean`]: mean('amount', o),
    [`${p}_std`]: std('amount', o),
    [`${p}_min`]: min('amount', o),
    [`${p}_max`]: max('amount', o),
    [`${p}_last`]: last('cat', o),
    [`${p}_last3`]: lastK('amount', { ...o, k: 3 }),
    [`${p}_cats`]: approxDistinct('cat', { ...o, precision: 6 }),
  };
};
const byUser = featureView('by_user', tx, { entity: entity('user', { key: 'user' }), features: { ...kinds('u10m', '10m'), ...kinds('u1h', '1h'), ...kinds('ulife') } });
const byPair = featureView('by_pair', tx, { entity: entity('pair', { key: ['a', 'b'] }), features: { ...kinds('p1h', '1h'), ...kinds('plife') } });
const project = defineProject({ views: [byUser, byPair] });

/** Deterministic events: a few very busy users (long rings) among thousands of quiet ones. */
function events(n: number): Record<string, unknown>[] {
  let seed = 12345;
  const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const out: Record<string, unknown>[] = [];
  let t = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    t += Math.floor(random() * 2_000);
    const busy = random() < 0.3;
    const user = busy ? `busy${Math.floor(random() * 3)}` : `u${Math.floor(random() * 3_000)}`;
    out.push({
      ts: t,
      user,
      a: user,
      b: Math.floor(random() * 4),
      amount: random() < 0.1 ? null : Math.round(random() * 100_000) / 100,
      flag: null,
      cat: random() < 0.1 ? null : `c${Math.floor(random() * 50)}`,
    });
  }
  return out;
}

describe('the online state at scale', () => {
  const all = events(20_000);
  const engine = new StreamEngine(project);
  for (const e of all) expect(engine.apply('tx', e).status).toBe('applied');
  const at = engine.watermark('tx') + 1;
  const users = [...new Set(all.map((e) => e.user as string))];
  const pairs = [...new Map(all.map((e) => [`${e.a as string}|${e.b as number}`, { a: e.a, b: e.b }])).values()];

  it('holds thousands of entities, and reads every one as backfill computes it, bit for bit', () => {
    expect(engine.entityCount('by_user')).toBe(users.length);
    expect(users.length).toBeGreaterThan(2_000);
    const spine = users.map((user) => ({ ts: at, user }));
    const expected = backfillRows(project, { views: ['by_user'], events: all, spine });
    const mismatches: string[] = [];
    users.forEach((user, i) => {
      const got = engine.read('by_user', user, { at });
      for (const [name, value] of Object.entries(got)) {
        const want = expected[i]![name];
        if (Array.isArray(value) ? JSON.stringify(value) !== JSON.stringify(want) : !Object.is(value, want)) mismatches.push(`${user}.${name}: ${String(value)} ≠ ${String(want)}`);
      }
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
    const pairSpine = pairs.map((p) => ({ ts: at, ...p }));
    const expectedPairs = backfillRows(project, { views: ['by_pair'], events: all, spine: pairSpine });
    pairs.forEach((p, i) => expect(engine.read('by_pair', p, { at })).toEqual(Object.fromEntries(Object.keys(byPair.features).map((f) => [f, expectedPairs[i]![f]]))));
  });

  it('keeps its state and batch scratch out of the external memory that sets off full collections', () => {
    // As ordinary ArrayBuffers, the batch scratch alone (times, ids, chains, gathered inputs
    // of 50,000 rows per view) and the pair table would be several megabytes.
    const batch = events(50_000);
    const before = getHeapStatistics().external_memory;
    const fresh = new StreamEngine(project);
    expect(fresh.applyBatch('tx', batch).applied).toBe(batch.length);
    expect(getHeapStatistics().external_memory - before).toBeLessThan(256 << 10);
  });

  it('is not changed by reads, in the present or the recent past', () => {
    const before = [...engine.snapshotLines()].join('\n');
    for (const user of users.slice(0, 500)) {
      engine.read('by_user', user, { at });
      engine.read('by_user', user, { at: at - 90_000 });
    }
    expect([...engine.snapshotLines()].join('\n')).toBe(before);
  });

  it('round-trips through a snapshot and goes on exactly as the original', async () => {
    const { engine: restored } = await StreamEngine.restore(project, engine.snapshotLines());
    const more = events(2_000).map((e) => ({ ...e, ts: (e.ts as number) - 1_700_000_000_000 + at }));
    for (const e of more) {
      engine.apply('tx', e);
      restored.apply('tx', e);
    }
    const end = engine.watermark('tx') + 1;
    for (const user of users) expect(restored.read('by_user', user, { at: end })).toEqual(engine.read('by_user', user, { at: end }));
    for (const p of pairs.slice(0, 1_000)) expect(restored.read('by_pair', p, { at: end - 60_000 })).toEqual(engine.read('by_pair', p, { at: end - 60_000 }));
  });

  it('keeps composite key parts that contain the key separator through a snapshot', async () => {
    const small = new StreamEngine(project);
    small.apply('tx', { ts: 1, user: 'x', a: 'p\u001fq', b: 1, amount: 1, flag: null, cat: null });
    small.apply('tx', { ts: 2, user: 'x', a: 'p', b: 2, amount: 5, flag: null, cat: null });
    const { engine: restored } = await StreamEngine.restore(project, small.snapshotLines());
    expect(restored.read('by_pair', { a: 'p\u001fq', b: 1 }, { at: 3 })['plife_sum']).toBe(1);
    expect(restored.read('by_pair', { a: 'p', b: 2 }, { at: 3 })['plife_sum']).toBe(5);
  });
});

describe('snapshots of keys holding the key separator', () => {
  it('restore a one-field key that contains it as one key', async () => {
    const engine = new StreamEngine(project);
    engine.apply('tx', { ts: 1, user: 'x\u001fy', a: 'a', b: 1, amount: 2, flag: null, cat: null });
    const { engine: restored } = await StreamEngine.restore(project, engine.snapshotLines());
    expect(restored.read('by_user', 'x\u001fy', { at: 2 })['ulife_sum']).toBe(2);
    expect(restored.entityCount('by_user')).toBe(1);
  });
});
