import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/engine/backfill.js';
import type { ViewJob } from '../../src/engine/view-job.js';
import { backfill, backfillParallel, count, defineProject, entity, featureView, lastK, max, mean, source, std } from '../../src/index.js';
import type { Table } from '../../src/io/table.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';

// A view keyed by (a, b) takes its columns from the (a) view's grouped copies when both are
// selected (key-ids.ts `refines`); its values must not depend on that.

const BASE = Date.UTC(2026, 0, 1);
const U = 60_000;
const tx = source('tx', { timestamp: 'ts', schema: { ts: 'timestamp', a: 'string', b: 'number', amount: 'number' } });
const byA = featureView('by_a', tx, { entity: entity('a', { key: 'a' }), features: { a_n: count({ window: '2m' }), a_top: max('amount', { window: '5m' }) } });
const byAB = featureView('by_ab', tx, {
  entity: entity('ab', { key: ['a', 'b'] }),
  features: {
    ab_n: count({ window: '2m' }),
    ab_avg: mean('amount', { window: '3m' }),
    ab_sd: std('amount'),
    ab_top: max('amount', { window: '1m' }),
    ab_recent: lastK('amount', { k: 2, window: '3m' }), // not fused: swept on the main thread
  },
});
const project = defineProject({ views: [byA, byAB] });
// The same first view with a feature the workers do not sweep in chunks: the main thread then
// puts its rows in grouped order itself before sweeping.
const byAList = featureView('by_a_list', tx, {
  entity: entity('a', { key: 'a' }),
  features: { al_n: count({ window: '2m' }), al_recent: lastK('amount', { k: 2, window: '3m' }) },
});
const withList = defineProject({ views: [byAList, byAB] });
const AB = ['ab_n', 'ab_avg', 'ab_sd', 'ab_top', 'ab_recent'];
const TYPES = { ts: 'timestamp', a: 'string', b: 'number', amount: 'number' } as const;

const key = <T>(values: readonly T[]): fc.Arbitrary<T | null> => fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: fc.constantFrom(...values), weight: 6 });
const eventArb = fc.record({
  ts: fc.integer({ min: 0, max: 12 }).map((m) => BASE + m * U),
  a: key(['x', 'y', 'z']),
  b: key([1, 2, 3]),
  amount: fc.oneof(fc.constant(null), fc.constantFrom(0.1, 0.2, 7, -3, 1e12), fc.integer({ min: -50, max: 50 })),
});
const spineArb = fc.record({ ts: fc.integer({ min: -1, max: 14 }).map((m) => BASE + m * U), a: key(['x', 'y', 'w']), b: key([1, 2, 4]) });

function same(got: Table, want: Table): void {
  for (const name of AB) {
    const g = got.columns.get(name)!;
    const w = want.columns.get(name)!;
    expect(g.type).toBe(w.type);
    if (g.type === 'number' && w.type === 'number') {
      const at = w.values.findIndex((v, i) => !Object.is(v, g.values[i]));
      expect(at, `${name} row ${at}: ${g.values[at]} vs ${w.values[at]}`).toBe(-1);
    } else {
      expect(g, name).toEqual(w);
    }
  }
}

describe('a composite key grouped from its first field’s view', () => {
  it('gives the same values and rejections as the view computed alone, in either order, on one thread and on two', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 80 }), fc.option(fc.array(spineArb, { minLength: 1, maxLength: 40 })), fc.boolean(), async (drawn, spineRows, everyA) => {
        // Without a null first field, a parallel backfill has a worker group the first view.
        const rows = everyA ? drawn.map((row) => ({ ...row, a: row.a ?? 'x' })) : drawn;
        const events = tableFromRows(rows, TYPES);
        const spine = spineRows === null ? ('events' as const) : tableFromRows(spineRows, { ts: 'timestamp', a: 'string', b: 'number' });
        const alone = backfill(project, { views: ['by_ab'], events, spine });
        for (const views of [['by_a', 'by_ab'], ['by_ab', 'by_a']]) {
          const serial = backfill(project, { views, events, spine });
          same(serial.table, alone.table);
          expect(serial.rejected.filter((r) => r.reason.includes("'ab'"))).toEqual(alone.rejected);
          same((await backfillParallel(project, { views, events, spine, threads: 2 })).table, alone.table);
        }
        const listed = { views: ['by_a_list', 'by_ab'], events, spine };
        const serial = backfill(withList, listed).table;
        const parallel = (await backfillParallel(withList, { ...listed, threads: 2 })).table;
        same(parallel, alone.table);
        for (const name of ['al_n', 'al_recent']) expect(parallel.columns.get(name), name).toEqual(serial.columns.get(name));
      }),
      { numRuns: 120 },
    );
  });

  it('keeps the first view’s columns readable until the refining view has taken them', () => {
    const events = tableFromRows(
      Array.from({ length: 30 }, (_, i) => ({ ts: BASE + i * U, a: ['x', 'y'][i % 2], b: i % 3, amount: i })),
      TYPES,
    );
    const memory = { float64: (n: number) => new Float64Array(n), uint32: (n: number) => new Uint32Array(n), forRun: (n: number) => new Uint32Array(n), output: (n: number) => new Float64Array(n).fill(-7.25), releaseOutputs: () => {} };
    const run = startBackfill(project, { views: ['by_a', 'by_ab'], events, spine: 'events' }, memory);
    const jobs = run.jobs()[Symbol.iterator]();
    const first = jobs.next().value as ViewJob;
    // A parallel backfill must not hand these arrays back yet: by_ab will read them.
    const read = run.stillRead(first);
    expect(read.length).toBe(2);
    expect(read[0]).toBe(first.sorted.times);
    expect(read[1]).toBe(first.sorted.num[0]);
    const second = jobs.next().value as ViewJob;
    expect(second.moves.some((move) => move.kind === 'refine')).toBe(true);
    expect(run.stillRead(first)).toEqual([]);
    expect(run.stillRead(second)).toEqual([]);
  });
});
