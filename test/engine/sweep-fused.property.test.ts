/**
 * The generated kernel (sweep-fused.ts) against the interpreter it replaces (`sweepWindow`),
 * window by window, on random events: every fusable aggregation, finite and lifetime windows,
 * several windows and moment columns in one view, nulls, ties and events on window edges.
 * Values must be equal bit for bit (NaN for null included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyRanges } from '../../src/engine/backfill-parallel.js';
import { startBackfill, type BackfillMemory } from '../../src/engine/backfill.js';
import { fusable, fusedSweepSource, sweepFused } from '../../src/engine/sweep-fused.js';
import { sweepWindow } from '../../src/engine/sweep.js';
import { groupColumns, type ViewJob } from '../../src/engine/view-job.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';
import { approxDistinct, count, defineProject, entity, featureView, last, lastK, max, mean, min, ratio, source, std, sum, variance } from '../../src/index.js';
import { schema, type Tx } from '../fixtures/tx-schema.js';

const U = 60_000;
const BASE = 1_700_000_040_000;
const MEMORY: BackfillMemory = { float64: (n) => new Float64Array(n), uint32: (n) => new Uint32Array(n), forRun: (n) => new Uint32Array(n), output: (n) => new Float64Array(n).fill(-7.25), releaseOutputs: () => {} };

function project(latenessMs: number) {
  const tx = source('tx', { timestamp: 'ts', allowedLateness: latenessMs, schema });
  const doubled = (e: Tx): number | null => (e.amount === null ? null : e.amount * 2);
  const user = featureView('by_user', tx, {
    entity: entity('user', { key: 'user' }),
    features: {
      n_1m: count({ window: '1m' }),
      cnt_2m: count('amount', { window: '2m' }),
      sum_2m: sum('amount', { window: '2m' }),
      mean_2m: mean('amount', { window: '2m' }),
      min_2m: min('amount', { window: '2m' }),
      max_2m: max('amount', { window: '2m' }),
      var_3m: variance('amount', { window: '3m' }),
      std_3m: std('amount', { window: '3m' }),
      twice_max_3m: max(doubled, { window: '3m' }),
      twice_mean_3m: mean(doubled, { window: '3m' }),
      flag_ratio_3m: ratio((e: Tx) => e.flag, { window: '3m' }),
      n_life: count(),
      mean_life: mean('amount'),
      min_life: min('amount'),
      max_life: max('amount'),
      std_life: std('amount'),
      sum_1ms: sum('amount', { window: 1 }),
      cats_2m: approxDistinct('cat', { window: '2m' }),
      amounts_life: approxDistinct('amount', { precision: 6 }),
      last_2m: last('amount', { window: '2m' }),
      last_life: last('amount'),
    },
  });
  const route = featureView('by_route', tx, {
    entity: entity('route', { key: ['a', 'b'] }),
    features: { r_n_2m: count({ window: '2m' }), r_max_2m: max('amount', { window: '2m' }), r_last3_2m: lastK('amount', { k: 3, window: '2m' }), r_mean_1m: mean('amount', { window: '1m' }) },
  });
  return defineProject({ views: [user, route] });
}

const eventArb = fc.record({
  // Whole minutes (window edges) most of the time, with a few off by a millisecond.
  ts: fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 0, 0, 0, 1, -1, 30_000)).map(([m, d]) => BASE + m * U + d),
  user: fc.constantFrom('u1', 'u2', 'u3'),
  a: fc.constantFrom('x', 'y'),
  b: fc.constantFrom(1, 2),
  amount: fc.oneof(fc.constant(null), fc.constantFrom(0, 1, 2.5, -3, 0.1, 0.2, 1e12, -1e-300), fc.integer({ min: -1000, max: 1000 })),
  flag: fc.oneof(fc.constant(null), fc.boolean()),
  cat: fc.oneof(fc.constant(null), fc.constantFrom('a', 'b', 'c', 'd')),
});

function bits(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** One job per view: interpreted window by window, and generated, on the same columns. */
function compare(events: readonly Record<string, unknown>[], latenessMs: number, spineRows?: readonly Record<string, unknown>[]): void {
  const table = tableFromRows(events, { ts: 'timestamp', user: 'string', a: 'string', b: 'number', amount: 'number', flag: 'boolean', cat: 'string' });
  const spine = spineRows === undefined ? 'events' : tableFromRows(spineRows, { ts: 'timestamp', user: 'string', a: 'string', b: 'number' });
  const run = startBackfill(project(latenessMs), { views: ['by_user', 'by_route'], events: table, spine }, MEMORY);
  for (const job of run.jobs() as Iterable<ViewJob>) {
    groupColumns(job);
    const fused = job.plan.windows.filter(fusable);
    // Every window of by_user is fusable, lifetime included; by_route's lastK window is not.
    expect(fused.length).toBe(job.view.name === 'by_user' ? job.plan.windows.length : job.plan.windows.length - 1);
    const copy = { num: job.grouped.num.map((column) => column?.slice()) };
    for (const window of fused) sweepWindow(window, job.sorted, job.spine, job.grouped);
    sweepFused(fused, job.sorted, job.spine, copy);
    for (const f of fused.flatMap((w) => w.features)) {
      const at = bits(job.grouped.num[f.index]!, copy.num[f.index]!);
      expect(at, `${f.name} differs at grouped row ${at}: ${job.grouped.num[f.index]![at]} vs ${copy.num[f.index]![at]}`).toBe(-1);
    }
  }
}

describe('sweepFused', () => {
  it('computes every fusable window of a view exactly as sweepWindow does, events as the spine', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 120 }), fc.constantFrom(0, 1, U, 5 * U), (events, lateness) => {
        compare(events, lateness);
      }),
      { numRuns: 300 },
    );
  });

  it('does so for a separate spine, with keys that have no events', () => {
    const rowArb = fc.record({
      ts: fc.integer({ min: -2, max: 45 }).map((m) => BASE + m * U),
      user: fc.constantFrom('u1', 'u2', 'u4'),
      a: fc.constantFrom('x', 'z'),
      b: fc.constantFrom(1, 2),
    });
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 80 }), fc.array(rowArb, { minLength: 1, maxLength: 60 }), (events, rows) => {
        compare(events, U, rows);
      }),
      { numRuns: 200 },
    );
  });

  it('runs over entity ranges as over the whole', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 4 }), (events, parts) => {
        const table = tableFromRows(events, { ts: 'timestamp', user: 'string', a: 'string', b: 'number', amount: 'number', flag: 'boolean', cat: 'string' });
        const run = startBackfill(project(U), { views: ['by_user'], events: table, spine: 'events' }, MEMORY);
        for (const job of run.jobs() as Iterable<ViewJob>) {
          groupColumns(job);
          const fused = job.plan.windows.filter(fusable);
          const whole = { num: job.grouped.num.map((column) => column?.slice()) };
          sweepFused(fused, job.sorted, job.spine, whole);
          for (const [from, to] of keyRanges(job.sorted.starts, parts)) sweepFused(fused, job.sorted, job.spine, job.grouped, from, to);
          for (const f of fused.flatMap((w) => w.features)) expect(bits(whole.num[f.index]!, job.grouped.num[f.index]!)).toBe(-1);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('takes only windows whose inputs and features are numbers', () => {
    const plan = startBackfill(project(0), { views: ['by_route'], events: tableFromRows([{ ts: BASE, user: 'u', a: 'x', b: 1, amount: 1, flag: true, cat: null }]), spine: 'events' }, MEMORY);
    const job = [...plan.jobs()][0]!;
    const windows = job.plan.windows;
    expect(windows.map(fusable)).toEqual([false, true]);
    expect(() => fusedSweepSource(windows)).toThrow(/not fusable/);
    expect(fusedSweepSource([windows[1]!])).toContain('const from = t - 60000;');
  });
});

describe('keyRanges', () => {
  it('cuts entity groups into contiguous, non-empty ranges of about equal events', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6 }), (sizes, parts) => {
        const starts = new Uint32Array(sizes.length + 1);
        sizes.forEach((size, k) => (starts[k + 1] = starts[k]! + size));
        const ranges = keyRanges(starts, parts);
        expect(ranges.length).toBeGreaterThan(0);
        expect(ranges.length).toBeLessThanOrEqual(parts);
        expect(ranges[0]![0]).toBe(0);
        expect(ranges.at(-1)![1]).toBe(sizes.length);
        for (let r = 0; r < ranges.length; r++) {
          expect(ranges[r]![1]).toBeGreaterThan(ranges[r]![0]);
          if (r > 0) expect(ranges[r]![0]).toBe(ranges[r - 1]![1]);
        }
        // Each range but the last ends at the first entity boundary at or past its share of
        // the events (or after one entity, when that is already past it).
        const total = starts[sizes.length]!;
        ranges.slice(0, -1).forEach(([from, to], r) => {
          const target = Math.ceil((total * (r + 1)) / parts);
          expect(to === from + 1 || starts[to - 1]! < target).toBe(true);
          expect(to === from + 1 || starts[to]! >= target).toBe(true);
        });
      }),
    );
  });
});
