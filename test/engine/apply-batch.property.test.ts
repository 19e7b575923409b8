/**
 * `applyBatch` applies a batch view by view and entity by entity; it must leave exactly the
 * state, counters, watermarks and rejections that applying the same events one by one leaves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/engine/index.js';
import { interpreted } from '../../src/engine/run-kernel.js';
import { approxDistinct, count, defineProject, entity, featureView, last, lastK, max, mean, min, source, std, sum, type Project } from '../../src/index.js';
import { schema, type Tx } from '../fixtures/tx-schema.js';

const U = 60_000;
const BASE = 1_700_000_040_000;

function makeProject(allowedLateness: number): Project {
  const tx = source('tx', { timestamp: 'ts', allowedLateness, schema });
  const other = source('other', { timestamp: 'ts', allowedLateness, schema });
  const user = entity('user', { key: 'user' });
  const byUser = featureView('by_user', tx, {
    entity: user,
    features: {
      n_1m: count({ window: '1m' }),
      sum_3m: sum('amount', { window: '3m' }),
      mean_life: mean('amount'),
      std_3m: std('amount', { window: '3m' }),
      max_1m: max('amount', { window: '1m' }),
      min_life: min('amount'),
      last_cat_2m: last('cat', { window: '2m' }),
      last2_life: lastK('amount', { k: 2 }),
      cats_3m: approxDistinct('cat', { window: '3m' }),
      cats_life: approxDistinct('cat', { precision: 6 }),
      big: count((e: Tx) => (e.amount !== null && e.amount > 100 ? true : null), { window: '2m' }),
    },
  });
  const byRoute = featureView('by_route', tx, {
    entity: entity('route', { key: ['a', 'b'] }),
    features: { r_n_2m: count({ window: '2m' }), r_max_3m: max('amount', { window: '3m' }), r_mean_life: mean('amount') },
  });
  const otherByUser = featureView('other_by_user', other, {
    entity: user,
    features: { o_n_2m: count({ window: '2m' }), o_sum_life: sum('amount') },
  });
  return defineProject({ views: [byUser, byRoute, otherByUser] });
}

const eventArb = fc.record({
  source: fc.constantFrom('tx', 'tx', 'tx', 'other'),
  slot: fc.integer({ min: 0, max: 12 }),
  offset: fc.constantFrom(0, 0, 0, 1, -1, U / 2),
  late: fc.constantFrom(0, 0, 0, 0, U, 3 * U, 10 * U),
  user: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
  a: fc.constantFrom('x', 'y'),
  // A number or its string form, which are one key: the generated admission loop takes
  // string keys, the interpreted one the rest.
  b: fc.constantFrom(1, 2, '1', '2', '2'),
  amount: fc.option(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0.1, 0.2, 1e12, 2.5)), { nil: null, freq: 4 }),
  cat: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null, freq: 4 }),
  /** Something wrong with the event now and then: the engine must reject it the same way. */
  fault: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'none', 'no-time', 'no-key', 'bad-amount'),
});
type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvent(spec: EventSpec, i: number): { source: string; event: Record<string, unknown> } {
  const event: Record<string, unknown> = { ts: BASE + spec.slot * U + spec.offset - spec.late, user: spec.user, a: spec.a, b: spec.b, amount: spec.amount, flag: null, cat: spec.cat };
  if (spec.fault === 'no-time') delete event['ts'];
  if (spec.fault === 'no-key') delete event['user'];
  if (spec.fault === 'bad-amount') event['amount'] = `x${i}`;
  // Time as ISO text now and then: the engine normalises it before the features see it.
  if (i % 7 === 3 && typeof event['ts'] === 'number') event['ts'] = new Date(event['ts']).toISOString();
  return { source: spec.source, event };
}

const scenarioArb = fc.record({
  lateness: fc.constantFrom(0, U, 2 * U, 1e9),
  events: fc.array(eventArb, { minLength: 1, maxLength: 60 }),
  /** Where the batches end (as fractions of the event list). */
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
  only: fc.constantFrom(undefined, ['by_user'], ['by_route'], ['by_user', 'by_route', 'other_by_user']),
  track: fc.boolean(),
});

/** Everything the engine holds: its snapshot lines (state, watermarks, counters) and rejections. */
function observed(engine: StreamEngine): { lines: string[]; rejected: unknown[] } {
  return { lines: [...engine.snapshotLines()], rejected: engine.rejected.map((r) => [r.source, r.code, r.reason, r.event]) };
}

describe('StreamEngine.applyBatch', () => {
  it('leaves the state, counters and rejections of applying the events one by one (property)', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const project = makeProject(scenario.lateness);
        const events = scenario.events.map(toEvent);
        const only: ReadonlySet<string> | undefined = scenario.only === undefined ? undefined : new Set<string>(scenario.only);
        const one = interpreted(() => new StreamEngine(project, { trackChanges: scenario.track }));
        const expected = events.map(({ source, event }) => one.apply(source, event, only));

        // Small pages, so that the state crosses pages often: it must not matter.
        const batched = new StreamEngine(project, { trackChanges: scenario.track, pages: { first: 16, largest: 64 } });
        const ends = [...new Set(scenario.cuts.map((c) => Math.floor(c * events.length))), events.length].sort((x, y) => x - y);
        const results: unknown[] = new Array(events.length).fill('applied');
        let from = 0;
        for (const end of ends) {
          // One source per call: the batch's runs of each source, in order.
          let i = from;
          while (i < end) {
            let j = i;
            while (j < end && events[j]!.source === events[i]!.source) j++;
            const result = batched.applyBatch(
              events[i]!.source,
              events.slice(i, j).map((e) => e.event),
              only,
            );
            expect(result.applied).toBe(j - i - result.rejected.length);
            for (const r of result.rejected) results[i + r.index] = [r.code, r.reason];
            i = j;
          }
          from = end;
        }
        expect(results).toEqual(expected.map((r) => (r.status === 'applied' ? 'applied' : [r.code, r.reason])));
        expect(observed(batched)).toEqual(observed(one));
        expect(batched.appliedCount).toBe(one.appliedCount);
        expect(batched.rejectedCount).toBe(one.rejectedCount);
        if (scenario.track) {
          const changes = (engine: StreamEngine) => engine.takeChanges().sort((x, y) => (x.view + x.key < y.view + y.key ? -1 : 1));
          expect(changes(batched)).toEqual(changes(one));
        }
        // And the engines go on alike: reads as of the newest time agree for every entity.
        for (const view of ['by_user', 'by_route']) {
          if (only !== undefined && !only.has(view)) continue;
          for (const key of view === 'by_user' ? ['u1', 'u2', 'u3', 'u4'] : [{ a: 'x', b: 1 }, { a: 'y', b: 2 }]) {
            const at = Math.max(one.watermark('tx'), BASE) + U;
            expect(batched.readEntity(view, key, { at })).toEqual(one.readEntity(view, key, { at }));
          }
        }
      }),
      { numRuns: Number(process.env['TANDEM_PARITY_RUNS'] ?? 300) },
    );
  });

  it('applies long runs of few entities as apply does: windows that drop, grow, recompute and take late events (property)', () => {
    // Finite windows of numbers (distinct-count hashes included), which `WindowState.applyRun`
    // applies in a loop of its own; many events per entity and batch, so that rings grow, the
    // sums are recomputed (after 16n + 64 updates) and turn imprecise (1e12 beside 0.1).
    const tx = source('tx', { timestamp: 'ts', allowedLateness: '2m', schema });
    const project = defineProject({
      views: [
        featureView('by_user', tx, {
          entity: entity('user', { key: 'user' }),
          features: {
            n_30s: count({ window: '30s' }),
            sum_1m: sum('amount', { window: '1m' }),
            std_1m: std('amount', { window: '1m' }),
            max_1m: max('amount', { window: '1m' }),
            min_1m: min('amount', { window: '1m' }),
            mean_5m: mean('amount', { window: '5m' }),
            big_5m: count((e: Tx) => (e.amount !== null && e.amount > 100 ? true : null), { window: '5m' }),
            cats_1m: approxDistinct('cat', { window: '1m' }),
          },
        }),
      ],
    });
    const stepArb = fc.record({
      gap: fc.constantFrom(0, 1, 500, 1_000, 5_000, 20_000, 20_000, 40_000, 61_000),
      late: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 1_000, 30_000, 90_000),
      user: fc.constantFrom('u1', 'u1', 'u1', 'u2'),
      amount: fc.option(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0.1, 0.2, 1e12, -1e12, 2.5)), { nil: null, freq: 6 }),
      cat: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: null, freq: 6 }),
    });
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 400, size: 'max' }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), fc.boolean(), (steps, cuts, falling) => {
        let clock = BASE;
        const events = steps.map((step, i) => {
          clock += step.gap;
          // Falling amounts keep every event in the max deque until it leaves the window.
          const amount = falling && step.amount !== null ? 10_000 - i : step.amount;
          return { ts: clock - step.late, user: step.user, a: 'x', b: 1, amount, flag: null, cat: step.cat };
        });
        // The references interpret every event (WindowState.apply); the batches run the
        // generated loops.
        const one = interpreted(() => new StreamEngine(project));
        const expected = events.map((event) => one.apply('tx', event).status);
        const batched = new StreamEngine(project, { pages: { first: 16, largest: 64 } });
        const ends = [...new Set(cuts.map((c) => Math.floor(c * events.length))), events.length].sort((x, y) => x - y);
        const statuses: string[] = new Array(events.length).fill('applied');
        let from = 0;
        // The reference is read after the same events as each batch (deques and sketches are
        // not in snapshots: reads are what show them).
        const reference = interpreted(() => new StreamEngine(project));
        let applied = 0;
        for (const end of ends) {
          for (const r of batched.applyBatch('tx', events.slice(from, end)).rejected) statuses[from + r.index] = r.status;
          for (; applied < end; applied++) reference.apply('tx', events[applied]!);
          from = end;
          const at = reference.watermark('tx') + 1;
          if (Number.isFinite(at)) for (const user of ['u1', 'u2']) expect(batched.readEntity('by_user', { user }, { at })).toEqual(reference.readEntity('by_user', { user }, { at }));
        }
        expect(statuses).toEqual(expected);
        expect([...batched.snapshotLines()]).toEqual([...one.snapshotLines()]);
      }),
      { numRuns: Number(process.env['TANDEM_PARITY_RUNS'] ?? 200) },
    );
  });

  it('applies batches of many entities, visited in id order, as apply does (property)', () => {
    // More entities per batch than `applyGrouped` takes in first-event order: it then visits
    // them by id buckets (a counting sort), which must neither drop, repeat nor reorder an
    // entity's events. The pair view's ids come from two fields, as a pair view's do.
    const stepArb = fc.record({
      gap: fc.constantFrom(0, 1, 1_000, 20_000),
      late: fc.constantFrom(0, 0, 0, 0, 30_000, 3 * U),
      user: fc.integer({ min: 0, max: 399 }),
      a: fc.constantFrom('x', 'y', 'z'),
      b: fc.integer({ min: 0, max: 60 }),
      amount: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null, freq: 6 }),
      cat: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null, freq: 4 }),
      // Now and then an amount that is no number: a rejection in the middle of the generated
      // admission loop's run, after rows whose pair entities it left to be found afterwards.
      bad: fc.integer({ min: 0, max: 30 }).map((x) => x === 0),
    });
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 100, maxLength: 1_500 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
        fc.constantFrom(0, U, 1e9),
        fc.boolean(),
        (steps, cuts, lateness, track) => {
          const project = makeProject(lateness);
          let clock = BASE;
          const events = steps.map((step) => {
            clock += step.gap;
            // Mostly string keys, as the generated admission loop takes them; now and then a number.
            return { ts: clock - step.late, user: `u${step.user}`, a: step.a, b: step.b % 5 === 0 ? step.b : String(step.b), amount: step.bad ? 'many' : step.amount, flag: null, cat: step.cat };
          });
          const one = interpreted(() => new StreamEngine(project, { trackChanges: track }));
          const expected = events.map((event) => one.apply('tx', event).status);
          const batched = new StreamEngine(project, { trackChanges: track, pages: { first: 64, largest: 256 } });
          const ends = [...new Set(cuts.map((c) => Math.floor(c * events.length))), events.length].sort((x, y) => x - y);
          const statuses: string[] = new Array(events.length).fill('applied');
          let from = 0;
          for (const end of ends) {
            for (const r of batched.applyBatch('tx', events.slice(from, end)).rejected) statuses[from + r.index] = r.status;
            from = end;
          }
          expect(statuses).toEqual(expected);
          expect([...batched.snapshotLines()]).toEqual([...one.snapshotLines()]);
          if (track) {
            const changes = (engine: StreamEngine) => engine.takeChanges().sort((x, y) => (x.view + x.key < y.view + y.key ? -1 : 1));
            expect(changes(batched)).toEqual(changes(one));
          }
        },
      ),
      { numRuns: Number(process.env['TANDEM_PARITY_RUNS'] ?? 60) },
    );
  });

  it('rejects an event whose feature function throws, naming the feature, as apply does', () => {
    const tx = source('tx', { timestamp: 'ts', schema });
    const byUser = featureView('by_user', tx, {
      entity: entity('user', { key: 'user' }),
      features: {
        n: count({ window: '1m' }),
        checked: sum((e: Tx) => {
          if (e.amount === 13) throw new Error('unlucky');
          return e.amount;
        }),
      },
    });
    const project = defineProject({ views: [byUser] });
    const events = [1, 2, 13, 4].map((amount, i) => ({ ts: BASE + i, user: `u${i % 2}`, a: 'x', b: 1, amount, flag: null, cat: null }));
    const one = new StreamEngine(project);
    const results = events.map((event) => one.apply('tx', event));
    const batched = new StreamEngine(project);
    const result = batched.applyBatch('tx', events);
    expect(result.applied).toBe(3);
    expect(result.rejected).toEqual([{ index: 2, status: 'rejected', code: 'TANDEM_FEATURE_VALUE', reason: "the function of feature 'by_user.checked' threw: unlucky" }]);
    expect(results[2]).toEqual({ status: 'rejected', code: 'TANDEM_FEATURE_VALUE', reason: "the function of feature 'by_user.checked' threw: unlucky" });
    expect([...batched.snapshotLines()]).toEqual([...one.snapshotLines()]);
  });

  it('applies the events before one that fails unexpectedly, then throws its error', () => {
    const project = makeProject(0);
    // String keys throughout, so that the generated admission loop takes these events.
    const event = (i: number) => ({ ts: BASE + i, user: `u${i % 2}`, a: 'x', b: '1', amount: i, flag: null, cat: null });
    // A key field whose getter throws is no rejection: the error surfaces, as it does from apply.
    const broken = Object.defineProperty(event(4), 'user', {
      get: () => {
        throw new Error('unreadable');
      },
    });
    const one = new StreamEngine(project);
    for (let i = 0; i < 4; i++) one.apply('tx', event(i));
    expect(() => one.apply('tx', broken)).toThrow('unreadable');
    const batched = new StreamEngine(project);
    // Events 2 and 3 are of known entities, the generated loop's: it must count them too.
    expect(() => batched.applyBatch('tx', [event(0), event(1), event(2), event(3), broken, event(5)])).toThrow('unreadable');
    expect([...batched.snapshotLines()]).toEqual([...one.snapshotLines()]);
    expect(batched.appliedCount).toBe(4);
  });

  it('rejects an unknown source by name', () => {
    const engine = new StreamEngine(makeProject(0));
    expect(() => engine.applyBatch('nope', [{}])).toThrow(/unknown source 'nope'/);
  });
});
