/**
 * Bit-for-bit parity where rounding shows: long windows of values spread over many orders
 * of magnitude, so that sums, means and variances depend on the exact sequence of adds,
 * removes and recomputations. Each event is read in the stream as of its own time before it
 * is applied (before the first of its instant), which is what a backfill with the events as
 * the spine computes; the two must
 * agree to the bit, through the interpreting kernel, the generated one and the stream.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamEngine, backfill, backfillRows } from '../../src/engine/index.js';
import { defineProject, entity, featureView, mean, source, std, sum, variance } from '../../src/index.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';

const tx = source('tx', {
  timestamp: 'ts',
  allowedLateness: '30s',
  schema: { ts: 'timestamp', user: 'string', amount: { type: 'number', nullable: true }, fee: { type: 'number', nullable: true } },
});
const view = featureView('by_user', tx, {
  entity: entity('user', { key: 'user' }),
  features: {
    sum_1m: sum('amount', { window: '1m' }),
    mean_1m: mean('amount', { window: '1m' }),
    std_1m: std('amount', { window: '1m' }),
    // A second column in the same window: each column's sums are recomputed on their own.
    fee_var_1m: variance('fee', { window: '1m' }),
    mean_5m: mean('amount', { window: '5m' }),
    var_5m: variance((e: { amount: number | null; fee: number | null }) => (e.amount === null || e.fee === null ? null : e.amount * e.fee), { window: '5m' }),
  },
});
const project = defineProject({ views: [view] });
const RUNS = Number(process.env['TANDEM_PARITY_RUNS'] ?? 150);

const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: 1e8, max: 1e8 + 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1e15, -1e15, 1e-9, 0.1, 0.3) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const eventsArb = fc
  .array(fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4_000 }), fc.constant(60_000)), user: fc.constantFrom('a', 'b'), amount: valueArb, fee: valueArb }), {
    minLength: 1,
    maxLength: 400,
    size: 'medium',
  })
  .map((rows) => {
    let t = 1_700_000_000_000;
    return rows.map(({ gap, user, amount, fee }) => ({ ts: (t += gap), user, amount, fee }));
  });

describe('bit-for-bit parity under rounding', () => {
  it('reads each event as of its own time in the stream exactly as backfill with the events as spine', () => {
    let compared = 0;
    fc.assert(
      fc.property(eventsArb, (events) => {
        const engine = new StreamEngine(project);
        // Read before the user's first event at each instant: a read after an event at its own
        // time applied is a read in the past, which agrees with backfill only to rounding.
        const reads = new Map<string, Record<string, unknown>>();
        const streamed = events.map((event) => {
          const at = `${event.user}@${event.ts}`;
          let values = reads.get(at);
          if (values === undefined) reads.set(at, (values = engine.read('by_user', event.user, { at: event.ts })));
          expect(engine.apply('tx', event).status).toBe('applied');
          return values;
        });
        const rows = backfillRows(project, { views: ['by_user'], events, spine: 'events' });
        const problems: string[] = [];
        rows.forEach((row, i) => {
          for (const name of Object.keys(view.features)) {
            if (!Object.is(row[name], streamed[i]![name])) problems.push(`event ${i} ${name}: backfill ${String(row[name])}, stream ${String(streamed[i]![name])}`);
            compared++;
          }
        });
        expect(problems.slice(0, 5)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    expect(compared).toBeGreaterThan(RUNS * 6 * 20);
  });

  it('reads a separate spine between events exactly as the stream does just before the next event', () => {
    fc.assert(
      fc.property(eventsArb, fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 50 }), (events, offsets) => {
        // Spine rows a little after some events, each read in the stream before later events.
        const spine = offsets.map((offset, i) => {
          const event = events[(i * 7919) % events.length]!;
          return { ts: event.ts + offset, user: event.user };
        });
        const order = spine.map((_, i) => i).sort((x, y) => spine[x]!.ts - spine[y]!.ts || x - y);
        const engine = new StreamEngine(project);
        const streamed = new Array<Record<string, unknown>>(spine.length);
        let next = 0;
        for (const i of order) {
          while (next < events.length && events[next]!.ts < spine[i]!.ts) engine.apply('tx', events[next++]!);
          streamed[i] = engine.read('by_user', spine[i]!.user, { at: spine[i]!.ts });
        }
        const table = tableFromRows(spine, { ts: 'timestamp', user: 'string' });
        const { table: out } = backfill(project, { views: ['by_user'], events: tableFromRows(events, { ts: 'timestamp', user: 'string', amount: 'number', fee: 'number' }), spine: table });
        for (const name of Object.keys(view.features)) {
          const column = out.columns.get(name)!;
          if (column.type !== 'number') throw new Error(`${name} is not a number column`);
          spine.forEach((_, i) => {
            const want = streamed[i]![name] ?? NaN;
            expect(Object.is(column.values[i], want) || (column.values[i] !== column.values[i] && want !== want), `row ${i} ${name}`).toBe(true);
          });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
