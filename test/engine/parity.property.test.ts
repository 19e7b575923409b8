/**
 * Parity of the engine's two drivers with each other and with the brute-force reference, on
 * random event streams built to hit the hard cases: timestamps on a coarse grid (many events
 * share an instant, many land exactly on window edges), a few off-grid by ±1 ms, duplicate
 * values, nulls, composite keys, functions as inputs, arrival slightly out of order within the
 * allowed lateness and some events beyond it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamEngine, backfillRows } from '../../src/engine/index.js';
import type { Aggregation } from '../../src/features/aggregations.js';
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
  source,
  std,
  sum,
  variance,
  type FeatureView,
  type Project,
} from '../../src/index.js';
import { schema, type Tx } from '../fixtures/tx-schema.js';
import { referenceAdmission, referenceBackfill, referenceCells, type Key, type Row } from '../reference/brute-force.js';
import { mismatch, notClose, notIdentical } from '../reference/compare.js';

/** The grid unit: windows are a few units long and event times are mostly whole units. */
const U = 60_000;
const BASE = 1_700_000_040_000; // a whole number of minutes since the epoch
const SOURCE = 'tx';
const RUNS = Number(process.env['TANDEM_PARITY_RUNS'] ?? 400);


type WindowOption = { readonly window?: '1m' | '3m' };

/** Every aggregation kind over the nullable number field, for one window. */
function allKinds(prefix: string, options: WindowOption): Record<string, Aggregation<Tx>> {
  return {
    [`${prefix}_n`]: count(options),
    [`${prefix}_cnt`]: count('amount', options),
    [`${prefix}_sum`]: sum('amount', options),
    [`${prefix}_mean`]: mean('amount', options),
    [`${prefix}_min`]: min('amount', options),
    [`${prefix}_max`]: max('amount', options),
    [`${prefix}_var`]: variance('amount', options),
    [`${prefix}_std`]: std('amount', options),
    [`${prefix}_last`]: last('amount', options),
    [`${prefix}_last3`]: lastK('amount', { ...options, k: 3 }),
    [`${prefix}_cats`]: approxDistinct('cat', options),
  };
}

function makeProject(allowedLateness: number): Project {
  const tx = source(SOURCE, { timestamp: 'ts', allowedLateness, schema });
  const byUser = featureView('by_user', tx, {
    entity: entity('user', { key: 'user' }),
    features: {
      ...allKinds('u_1m', { window: '1m' }),
      ...allKinds('u_3m', { window: '3m' }),
      ...allKinds('u_life', {}),
      u_n_1ms: count({ window: 1 }),
      u_sum_1ms: sum('amount', { window: 1 }),
      u_mean_90s: mean('amount', { window: '90s' }),
      u_flag_sum_2m: sum('flag', { window: '2m' }),
      u_flag_mean_life: mean('flag'),
      u_flag_ratio_2m: ratio((e: Tx) => e.flag, { window: '2m' }),
      u_flag_last_2m: last('flag', { window: '2m' }),
      u_flag_cnt_life: count('flag'),
      u_flag_distinct_3m: approxDistinct('flag', { window: '3m' }),
      u_cat_last_2m: last('cat', { window: '2m' }),
      u_cat_last2_life: lastK('cat', { k: 2 }),
      u_cat_cnt_2m: count('cat', { window: '2m' }),
      u_cat_distinct_p6_life: approxDistinct((e: Tx) => e.cat, { precision: 6 }),
      u_amount_distinct_life: approxDistinct('amount'),
      u_twice_min_3m: min((e: Tx) => (e.amount === null ? NaN : e.amount * 2), { window: '3m' }),
      u_flagged_max_life: max((e: Tx) => (e.flag === true ? e.amount : undefined)),
      u_flagged_sum_2m: sum((e: Tx) => (e.flag === true ? e.amount : null), { window: '2m' }),
      u_is_a_var_3m: variance((e: Tx) => (e.cat === null ? null : e.cat === 'a'), { window: '3m' }),
      u_flag_std_life: std((e: Tx) => e.flag),
      u_third_mean_life: mean((e: Tx) => (e.amount === null ? undefined : e.amount / 3)),
      u_big_cnt_1m: count((e: Tx) => (e.amount !== null && e.amount > 100 ? true : null), { window: '1m' }),
      u_tag_last3_2m: lastK((e: Tx) => (e.cat === null ? undefined : `${e.cat}:${e.amount}`), { k: 3, window: '2m' }),
      u_not_flag_last_life: last((e: Tx) => (e.flag === null ? null : !e.flag)),
      // A window of event counts only, which counts from the ring of the view's longest window.
      u_n_45s: count({ window: '45s' }),
    },
  });
  const byRoute = featureView('by_route', tx, {
    entity: entity('route', { key: ['a', 'b'] }),
    features: {
      r_n_2m: count({ window: '2m' }),
      r_sum_2m: sum('amount', { window: '2m' }),
      r_mean_life: mean('amount'),
      r_cat_last_life: last('cat'),
      r_last2_3m: lastK('amount', { k: 2, window: '3m' }),
      r_var_1m: variance('amount', { window: '1m' }),
      r_std_1m: std('amount', { window: '1m' }),
      r_min_life: min('amount'),
      r_max_3m: max('amount', { window: '3m' }),
      r_users_life: approxDistinct('user'),
      r_flag_ratio_1m: ratio((e: Tx) => e.flag, { window: '1m' }),
      r_n_90s: count({ window: '90s' }),
    },
  });
  return defineProject({ views: [byUser, byRoute] });
}

// ---------------------------------------------------------------------------------------------
// Generators

const amountArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 2.5, -3, 10, 0.1, 0.2, 0.3, 999.9, -1000, 1000) },
  // Magnitudes far apart: tiny values next to ordinary ones, and a large one in the history.
  { weight: 1, arbitrary: fc.constantFrom(1e-300, -2.5e-308, 5e-324, 1e12, -3e9) },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 1, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }).map((x) => (x === 0 ? 0 : x)) },
);
/** Mostly on the grid; sometimes 1 ms either side of it or half a unit off. */
const offsetArb = fc.constantFrom(0, 0, 0, 0, 0, 0, 1, -1, U / 2);
const userArb = fc.constantFrom('u1', 'u2', 'u3');
const aArb = fc.constantFrom('x', 'y');
const bArb = fc.constantFrom(1, 2);
/** How long after its event time an event arrives, relative to the allowed lateness. */
const delayArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const, fraction: 0 }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('within' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('beyond' as const), fraction: fc.integer({ min: 1, max: 4 }) }) },
);

const eventSpecArb = fc.record({
  slot: fc.integer({ min: 0, max: 12 }),
  offset: offsetArb,
  user: userArb,
  a: aArb,
  b: bArb,
  amount: fc.option(amountArb, { nil: null, freq: 4 }),
  flag: fc.option(fc.boolean(), { nil: null, freq: 4 }),
  cat: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: null, freq: 4 }),
  delay: delayArb,
});
type EventSpec = typeof eventSpecArb extends fc.Arbitrary<infer T> ? T : never;

const latenessArb = fc.constantFrom(0, U / 2, U, 2 * U, 3 * U, 1e9);

const scenarioArb = fc.record({
  lateness: latenessArb,
  /** Whether events arrive in event-time order (then the drivers must agree bit for bit). */
  inOrder: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }),
  // At least one event and one spine row: empty inputs are covered by their own unit test.
  events: fc.array(eventSpecArb, { minLength: 1, maxLength: 40, size: 'max' }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

const spineSpecArb = fc.record({
  slot: fc.integer({ min: 0, max: 14 }),
  offset: offsetArb,
  user: userArb,
  a: aArb,
  b: bArb,
  label: fc.integer({ min: 0, max: 9 }),
});

const viewsArb = fc.constantFrom(['by_user'], ['by_route'], ['by_user', 'by_route'], ['by_route', 'by_user']);

const readSpecArb = fc.record({
  after: fc.integer({ min: 0, max: 40 }),
  view: fc.constantFrom('by_user', 'by_route'),
  user: userArb,
  a: aArb,
  b: bArb,
  keyAsObject: fc.boolean(),
  mode: fc.constantFrom('grid', 'grid', 'near', 'near', 'near', 'tooOld'),
  slot: fc.integer({ min: 0, max: 14 }),
  offset: offsetArb,
  steps: fc.integer({ min: 0, max: 4 }),
});
type ReadSpec = typeof readSpecArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// Building events, arrival order and reads

function toEvent(spec: EventSpec): Row {
  return { ts: BASE + spec.slot * U + spec.offset, user: spec.user, a: spec.a, b: spec.b, amount: spec.amount, flag: spec.flag, cat: spec.cat };
}

function delayMs(spec: EventSpec, lateness: number): number {
  if (spec.delay.kind === 'none') return 0;
  if (spec.delay.kind === 'within') return Math.round(spec.delay.fraction * lateness);
  return lateness + spec.delay.fraction * U + 1; // after events up to `fraction` units past its lateness
}

/** Events in arrival order: by event time (in order) or by event time + delay; ties keep file order. */
function arrivalOrder(scenario: Scenario, events: readonly Row[]): Row[] {
  const order = events.map((event, i) => {
    const spec = scenario.events[i]!;
    const at = (event['ts'] as number) + (scenario.inOrder ? 0 : delayMs(spec, scenario.lateness));
    return { event, at, i };
  });
  order.sort((x, y) => x.at - y.at || x.i - y.i);
  return order.map((o) => o.event);
}

function viewOf(project: Project, name: string): FeatureView {
  const view = project.views.get(name);
  if (view === undefined) throw new Error(`no view ${name}`);
  return view;
}

function keyFor(spec: ReadSpec): Key {
  if (spec.view === 'by_route') return { a: spec.a, b: spec.b };
  return spec.keyAsObject ? { user: spec.user } : spec.user;
}

function keyRow(view: FeatureView, key: Key): Row {
  if (typeof key === 'object') return key;
  return { [view.entity.keys[0]!]: key };
}

function showTime(t: number): string {
  const rel = t - BASE;
  const units = Math.round(rel / U);
  const rest = rel - units * U;
  return `BASE${units < 0 ? '' : '+'}${units}U${rest === 0 ? '' : `${rest > 0 ? '+' : ''}${rest}ms`}`;
}

/** Events as one compact line each, e.g. `#3 t=BASE+2U u1 (x,1) amount=0.5 flag=null cat='a' REJECTED`. */
function showEvents(events: readonly Row[], accepted?: readonly boolean[]): string {
  return events
    .map((e, i) => {
      const fields = `${String(e['user'])} (${String(e['a'])},${String(e['b'])}) amount=${String(e['amount'])} flag=${String(e['flag'])} cat=${e['cat'] === null ? 'null' : `'${String(e['cat'])}'`}`;
      return `\n    #${i + 1} t=${showTime(e['ts'] as number)} ${fields}${accepted !== undefined && !accepted[i] ? ' REJECTED' : ''}`;
    })
    .join('');
}

function showKey(key: Key): string {
  return JSON.stringify(key);
}

/** Fails with every mismatch listed (at most 12), so a counterexample explains itself. */
function assertNone(problems: readonly string[], context: string): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 12).join('\n  ');
  const more = problems.length > 12 ? `\n  … and ${problems.length - 12} more` : '';
  throw new Error(`${context}: ${problems.length} mismatch(es)\n  ${shown}${more}`);
}

/** Compare one row of engine features with the reference for one view, key and time. */
function compareWithReference(
  view: FeatureView,
  events: readonly Row[],
  key: Key,
  t: number,
  actual: Readonly<Record<string, unknown>>,
  where: string,
  problems: string[],
): void {
  const cells = referenceCells(view, events, key, t);
  for (const name of view.featureNames) {
    const aggregation = view.features[name] as Aggregation;
    const cell = cells[name]!;
    if (!(name in actual)) {
      problems.push(`${where}: feature '${name}' missing from the result`);
      continue;
    }
    const why = mismatch(aggregation, cell, actual[name]);
    if (why !== undefined) problems.push(`${where} ${view.name}.${name} (${aggregation.aggregation}): ${why}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Running the stream

interface StreamRead {
  readonly view: FeatureView;
  readonly key: Key;
  readonly t: number;
  /** How many arrivals had been applied or rejected when the read ran. */
  readonly afterArrivals: number;
  readonly values: Readonly<Record<string, unknown>>;
}

interface StreamRun {
  /** Reads compared with the reference, and reads correctly refused as too old. */
  readonly compared: number;
  readonly refused: number;
  readonly arrivals: readonly Row[];
  readonly accepted: readonly boolean[];
  readonly reads: readonly StreamRead[];
  readonly problems: readonly string[];
}

/**
 * Feed the arrivals to a StreamEngine, interleaving the reads, and check each apply status,
 * each read against the reference over the events applied so far, and the rejected list.
 */
function runStream(project: Project, scenario: Scenario, readSpecs: readonly ReadSpec[]): StreamRun {
  const lateness = scenario.lateness;
  const arrivals = arrivalOrder(scenario, scenario.events.map(toEvent));
  const admission = referenceAdmission(
    project,
    arrivals.map((event) => ({ source: SOURCE, event })),
  );
  // Small pages, so that records and rings cross pages often (the defaults hold these in one).
  const engine = new StreamEngine(project, { pages: { first: 16, largest: 64 } });
  const problems: string[] = [];
  const applied: Row[] = [];
  const reads: StreamRead[] = [];
  const readsAfter = new Map<number, ReadSpec[]>();
  for (const spec of readSpecs) {
    const after = Math.min(spec.after, arrivals.length);
    readsAfter.set(after, [...(readsAfter.get(after) ?? []), spec]);
  }
  let watermark = -Infinity;
  let refused = 0;
  const doReads = (afterArrivals: number): void => {
    for (const spec of readsAfter.get(afterArrivals) ?? []) {
      const view = viewOf(project, spec.view);
      const key = keyFor(spec);
      let t = BASE + spec.slot * U + spec.offset;
      if (Number.isFinite(watermark) && spec.mode === 'near') t = watermark - lateness + spec.steps * U + (spec.offset === -1 ? 0 : spec.offset);
      if (Number.isFinite(watermark) && spec.mode === 'tooOld') t = watermark - lateness - 1 - spec.steps * U;
      const where = `read #${afterArrivals} ${spec.view} ${showKey(key)} at ${showTime(t)} (watermark ${Number.isFinite(watermark) ? showTime(watermark) : '-∞'}, lateness ${lateness}ms)`;
      const tooOld = t < watermark - lateness;
      let values: Record<string, unknown>;
      try {
        values = engine.read(spec.view, key, { at: t });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (tooOld && code === 'TANDEM_READ_TOO_OLD') refused++;
        else problems.push(`${where}: threw ${String(code)}: ${(error as Error).message}${tooOld ? ' (expected TANDEM_READ_TOO_OLD)' : ''}`);
        continue;
      }
      if (tooOld) {
        problems.push(`${where}: expected TANDEM_READ_TOO_OLD, got a result`);
        continue;
      }
      compareWithReference(view, applied, key, t, values, where, problems);
      reads.push({ view, key, t, afterArrivals, values });
    }
  };
  doReads(0);
  arrivals.forEach((event, i) => {
    const expected = admission.accepted[i]!;
    const result = engine.apply(SOURCE, event);
    const where = `arrival #${i + 1} at ${showTime(event['ts'] as number)} (watermark ${Number.isFinite(watermark) ? showTime(watermark) : '-∞'}, lateness ${lateness}ms)`;
    if (expected && result.status !== 'applied') problems.push(`${where}: expected applied, got ${JSON.stringify(result)}`);
    if (!expected) {
      if (result.status !== 'rejected') problems.push(`${where}: expected rejected as late, got ${JSON.stringify(result)}`);
      else if (result.code !== 'TANDEM_LATE_EVENT') problems.push(`${where}: rejected with code ${result.code}, expected TANDEM_LATE_EVENT`);
    }
    if (expected) {
      applied.push(event);
      watermark = Math.max(watermark, event['ts'] as number);
    }
    doReads(i + 1);
  });
  const expectedRejected = arrivals.filter((_, i) => !admission.accepted[i]);
  const rejected = engine.rejected;
  if (rejected.length !== expectedRejected.length) {
    problems.push(`engine.rejected holds ${rejected.length} event(s), expected ${expectedRejected.length}`);
  } else {
    rejected.forEach((entry, i) => {
      const want = expectedRejected[i]!;
      if (entry.source !== SOURCE || entry.code !== 'TANDEM_LATE_EVENT' || JSON.stringify(entry.event) !== JSON.stringify(want) || !entry.reason) {
        problems.push(`engine.rejected[${i}] = ${JSON.stringify(entry)}, expected the late event ${JSON.stringify(want)} with code TANDEM_LATE_EVENT and a reason`);
      }
    });
  }
  return { compared: reads.length, refused, arrivals, accepted: admission.accepted, reads, problems };
}

// ---------------------------------------------------------------------------------------------
// Properties

const projects = new Map<number, Project>();
function projectFor(lateness: number): Project {
  let project = projects.get(lateness);
  if (project === undefined) projects.set(lateness, (project = makeProject(lateness)));
  return project;
}

function spineRows(specs: readonly (typeof spineSpecArb extends fc.Arbitrary<infer T> ? T : never)[], timeColumn: string): Row[] {
  return specs.map((s) => ({ user: s.user, a: s.a, b: s.b, [timeColumn]: BASE + s.slot * U + s.offset, label: s.label }));
}

/** Backfill output vs the reference: columns in order, pass-through values, then every feature. */
function compareBackfill(
  project: Project,
  viewNames: readonly string[],
  events: readonly Row[],
  spine: readonly Row[],
  actual: readonly Record<string, unknown>[],
  timeColumn: string,
): string[] {
  const problems: string[] = [];
  const expected = referenceBackfill(project, viewNames, events, spine, { spineTimestamp: timeColumn });
  if (actual.length !== expected.length) return [`backfill returned ${actual.length} rows for ${expected.length} spine rows`];
  expected.forEach((want, i) => {
    const got = actual[i]!;
    const row = spine[i]!;
    const t = row[timeColumn] as number;
    const where = `spine row ${i} ${JSON.stringify({ ...row, [timeColumn]: showTime(t) })}`;
    const wantColumns = Object.keys(want).join(',');
    const gotColumns = Object.keys(got).join(',');
    if (wantColumns !== gotColumns) problems.push(`${where}: columns\n    expected ${wantColumns}\n    got      ${gotColumns}`);
    for (const column of Object.keys(row)) {
      if (!Object.is(got[column], row[column])) problems.push(`${where}: spine column '${column}' is ${JSON.stringify(got[column])}`);
    }
    for (const name of viewNames) {
      const view = viewOf(project, name);
      const key = Object.fromEntries(view.entity.keys.map((k) => [k, row[k]]));
      compareWithReference(view, events, key, t, got, `${where}`, problems);
    }
  });
  return problems;
}

describe('engine parity with the brute-force reference', () => {
  it('(a) backfillRows over random spine rows equals the reference for every feature', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.array(spineSpecArb, { minLength: 1, maxLength: 25, size: 'max' }),
        viewsArb,
        fc.boolean(),
        fc.boolean(),
        (scenario, spineSpecs, viewNames, eventsByName, ownTimeColumn) => {
          const project = projectFor(scenario.lateness);
          const events = scenario.events.map(toEvent);
          const timeColumn = ownTimeColumn ? 'as_of' : 'ts';
          const spine = spineRows(spineSpecs, timeColumn);
          const actual = backfillRows(project, {
            views: viewNames,
            events: eventsByName ? { [SOURCE]: events } : events,
            spine,
            ...(ownTimeColumn ? { spineTimestamp: timeColumn } : {}),
          });
          assertNone(compareBackfill(project, viewNames, events, spine, actual, timeColumn), `backfill vs reference; events:${showEvents(events)}\n `);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("(b) backfillRows with spine 'events' equals the reference: each event sees only earlier instants", () => {
    fc.assert(
      fc.property(scenarioArb, viewsArb, (scenario, viewNames) => {
        const project = projectFor(scenario.lateness);
        const events = scenario.events.map(toEvent);
        const actual = backfillRows(project, { views: viewNames, events, spine: 'events' });
        assertNone(compareBackfill(project, viewNames, events, events, actual, 'ts'), `backfill(spine 'events') vs reference; events:${showEvents(events)}\n `);
      }),
      { numRuns: RUNS },
    );
  });

  it('(c) StreamEngine fed in arrival order reads like the reference over applied events and rejects exactly the late ones', () => {
    const seen = { compared: 0, refused: 0, rejectedEvents: 0 };
    fc.assert(
      fc.property(scenarioArb, fc.array(readSpecArb, { maxLength: 30, size: 'max' }), (scenario, readSpecs) => {
        const run = runStream(projectFor(scenario.lateness), scenario, readSpecs);
        seen.compared += run.compared;
        seen.refused += run.refused;
        seen.rejectedEvents += run.accepted.filter((ok) => !ok).length;
        assertNone(run.problems, `stream vs reference; arrivals:${showEvents(run.arrivals, run.accepted)}\n `);
      }),
      { numRuns: RUNS },
    );
    // The property is only as strong as what it exercised.
    if (process.env['TANDEM_PARITY_STATS'] !== undefined) console.log('(c) exercised', seen);
    expect(seen.compared).toBeGreaterThan(RUNS * 5);
    expect(seen.refused).toBeGreaterThan(RUNS / 10);
    expect(seen.rejectedEvents).toBeGreaterThan(RUNS / 10);
  });

  it('(d) backfill over the accepted events equals the stream’s settled reads (bit for bit for in-order events read as of now)', () => {
    const seen = { inOrder: 0, outOfOrder: 0, exact: 0 };
    fc.assert(
      fc.property(scenarioArb, fc.array(readSpecArb, { maxLength: 30, size: 'max' }), (scenario, readSpecs) => {
        const project = projectFor(scenario.lateness);
        const run = runStream(project, scenario, readSpecs.filter((r) => r.mode !== 'tooOld'));
        const accepted = run.arrivals.filter((_, i) => run.accepted[i]);
        // A read is settled when no event accepted after it falls before its time.
        const settled = run.reads.filter((read) =>
          run.arrivals.every((event, i) => i < read.afterArrivals || !run.accepted[i] || (event['ts'] as number) >= read.t),
        );
        const problems: string[] = [];
        if (scenario.inOrder) seen.inOrder += settled.length;
        else seen.outOfOrder += settled.length;
        for (const viewName of ['by_user', 'by_route']) {
          const reads = settled.filter((r) => r.view.name === viewName);
          if (reads.length === 0) continue;
          const view = viewOf(project, viewName);
          const spine = reads.map((r) => ({ ...keyRow(view, r.key), ts: r.t }));
          const rows = backfillRows(project, { views: [viewName], events: accepted, spine });
          reads.forEach((read, i) => {
            const row = rows[i] ?? {};
            const where = `${viewName} ${showKey(read.key)} at ${showTime(read.t)} (read after ${read.afterArrivals} arrivals)`;
            // Bit-for-bit equality holds when both drivers applied the same event sequence:
            // arrivals in time order and a read after every event applied so far. A read in
            // the recent past subtracts later events on the fly, so it agrees within rounding.
            const current = run.arrivals.every((event, i) => i >= read.afterArrivals || !run.accepted[i] || (event['ts'] as number) < read.t);
            const exact = scenario.inOrder && current;
            if (exact) seen.exact++;
            const cells = exact ? undefined : referenceCells(view, accepted, read.key, read.t);
            for (const name of view.featureNames) {
              const aggregation = view.features[name] as Aggregation;
              const why = exact
                ? notIdentical(row[name], read.values[name])
                : notClose(aggregation, row[name], read.values[name], cells?.[name]?.magnitude ?? 0);
              if (why !== undefined) problems.push(`${where} ${name} (${aggregation.aggregation}): backfill vs stream ${why}`);
            }
          });
        }
        assertNone(
          problems,
          `backfill vs stream (exact for in-order arrivals read after their last event, else relative 1e-9); arrivals:${showEvents(run.arrivals, run.accepted)}\n `,
        );
      }),
      { numRuns: RUNS },
    );
    if (process.env['TANDEM_PARITY_STATS'] !== undefined) console.log('(d) settled reads compared', seen);
    expect(seen.inOrder).toBeGreaterThan(RUNS);
    expect(seen.outOfOrder).toBeGreaterThan(RUNS);
    expect(seen.exact).toBeGreaterThan(RUNS / 2);
  });
});

it('the parity generators hit shared instants, exact window edges and late events', () => {
  // Guards the generators themselves: the properties above are only as strong as their inputs.
  const samples = fc.sample(scenarioArb, { numRuns: 200, seed: 42 });
  let sharedInstants = 0;
  let edges = 0;
  let late = 0;
  for (const scenario of samples) {
    const events = scenario.events.map(toEvent);
    const times = events.map((e) => e['ts'] as number);
    if (new Set(times).size < times.length) sharedInstants++;
    // Two events exactly one 1m window apart: as of the later one, the earlier sits on the edge.
    if (times.some((t) => times.includes(t + U))) edges++;
    const project = projectFor(scenario.lateness);
    const { accepted } = referenceAdmission(
      project,
      arrivalOrder(scenario, events).map((event) => ({ source: SOURCE, event })),
    );
    if (accepted.includes(false)) late++;
  }
  if (process.env['TANDEM_PARITY_STATS'] !== undefined) console.log('generators', { sharedInstants, edges, late });
  expect(sharedInstants).toBeGreaterThan(140);
  expect(edges).toBeGreaterThan(140);
  expect(late).toBeGreaterThan(40);
});
