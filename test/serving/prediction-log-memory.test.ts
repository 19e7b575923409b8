import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PredictionLog, type LoggedPrediction } from '../../src/serving/prediction-log.js';

const entry = (id: string, n: number, model = 'fraud'): LoggedPrediction => ({
  prediction: { id, model, version: 1, score: n / 1000, decision: 'allow', rule: null, reasons: [] },
  features: { n },
  at: n,
});

describe('the prediction log in memory (for feedback joins and skew checks)', () => {
  it('keeps the last `capacity` predictions per model, finds them by id, and lists them oldest first', () => {
    const log = new PredictionLog({ capacity: 3 });
    for (let n = 0; n < 5; n++) log.record(entry(`p${n}`, n));
    log.record(entry('other', 9, 'churn'));
    expect(log.find('fraud', 'p1')).toBeUndefined();
    expect(log.find('fraud', 'p2')?.at).toBe(2);
    expect(log.recent('fraud', 10).map((e) => e.prediction.id)).toEqual(['p2', 'p3', 'p4']);
    expect(log.recent('fraud', 2).map((e) => e.prediction.id)).toEqual(['p3', 'p4']);
    expect(log.recent('churn', 10).map((e) => e.prediction.id)).toEqual(['other']);
    expect(log.recent('unknown', 10)).toEqual([]);
  });

  it('a re-sent request id answers with its latest prediction, listed once, at its latest place', () => {
    const log = new PredictionLog({ capacity: 4 });
    log.record(entry('a', 1));
    log.record(entry('b', 2));
    log.record(entry('a', 3));
    expect(log.find('fraud', 'a')?.at).toBe(3);
    expect(log.recent('fraud', 10).map((e) => e.at)).toEqual([2, 3]);
    // The older 'a' leaves the ring without taking the newer one with it.
    log.record(entry('c', 4));
    log.record(entry('d', 5));
    expect(log.find('fraud', 'a')?.at).toBe(3);
    expect(log.recent('fraud', 10).map((e) => e.at)).toEqual([2, 3, 4, 5]);
    log.record(entry('e', 6));
    expect(log.find('fraud', 'b')).toBeUndefined();
    expect(log.recent('fraud', 10).map((e) => e.at)).toEqual([3, 4, 5, 6]);
  });

  it('finds what a plain list of the last `capacity` records holds, with lookups between the records (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        // A record's id, or a lookup of an id (negative), in any order.
        fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: -41, max: -1 })), { minLength: 20, maxLength: 200 }),
        (capacity, steps) => {
          const log = new PredictionLog({ capacity });
          const recorded: LoggedPrediction[] = [];
          steps.forEach((step, n) => {
            if (step >= 0) {
              const e = entry(`r${step}`, n);
              recorded.push(e);
              log.record(e);
              return;
            }
            const id = `r${-step - 1}`;
            const window = recorded.slice(Math.max(0, recorded.length - capacity));
            expect(log.find('fraud', id)).toEqual(window.findLast((e) => e.prediction.id === id));
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with a plain list of the last `capacity` records, for any sequence of ids', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 60 }), fc.integer({ min: 0, max: 10 }), (capacity, ids, limit) => {
        const log = new PredictionLog({ capacity });
        const recorded = ids.map((id, n) => entry(`r${id}`, n));
        for (const e of recorded) log.record(e);
        const window = recorded.slice(Math.max(0, recorded.length - capacity));
        // Within the window, an entry counts when no later record (anywhere) has its id.
        const latest = window.filter((e, k) => !window.slice(k + 1).some((later) => later.prediction.id === e.prediction.id));
        expect(log.recent('fraud', limit)).toEqual(latest.slice(Math.max(0, latest.length - limit)));
        for (let id = 0; id <= 12; id++) {
          expect(log.find('fraud', `r${id}`)).toEqual(latest.find((e) => e.prediction.id === `r${id}`));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives back every record as recorded, whatever its features, versions, fallbacks and requests (property)', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'amount', 'n_1h');
    const value = fc.oneof(
      fc.double(),
      fc.constant(null),
      fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY),
      fc.string({ maxLength: 3 }),
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 2 }),
    );
    // Mostly numeric rows of a few shapes, as a served model's are; sometimes anything.
    const numeric = fc.oneof(fc.double({ noNaN: true }), fc.constant(null), fc.constant(-0));
    const features = fc.oneof(
      fc.constantFrom(['a', 'b', 'c'], ['a', 'b'], ['n_1h', 'amount', 'a', 'b', 'c']).chain((names) => fc.tuple(...names.map(() => numeric)).map((values) => Object.fromEntries(names.map((n, j) => [n, values[j]])))),
      fc.dictionary(name, value, { maxKeys: 4 }),
    );
    const record = fc.record({
      // Often repeated ids, and enough distinct ones that old slots are still found after the ring grows.
      id: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 1000 })).map((n) => `p${n}`),
      version: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(null)),
      score: fc.double({ noNaN: true }),
      decision: fc.constantFrom('allow', 'review', 'block'),
      rule: fc.constantFrom(null, 'big amount'),
      reasons: fc.constantFrom([], ['big amount'], ['big amount', 'new card']),
      fallback: fc.option(fc.record({ kind: fc.constantFrom('default', 'previous'), reason: fc.constantFrom('timeout', 'overload') }), { nil: undefined }),
      variant: fc.option(fc.constant('canary' as const), { nil: undefined }),
      features,
      at: fc.integer(),
      request: fc.option(fc.record({ card: fc.string({ maxLength: 4 }), amount: fc.double() }), { nil: undefined }),
    });
    fc.assert(
      // Small rings wrap often; larger ones grow (64 slots, then doubling) before they wrap.
      fc.property(fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 60, max: 140 })), fc.oneof(fc.array(record, { maxLength: 30 }), fc.array(record, { minLength: 65, maxLength: 250 })), (capacity, records) => {
        const log = new PredictionLog({ capacity });
        const given: LoggedPrediction[] = records.map((r) => {
          const prediction = { id: r.id, model: 'fraud', version: r.version, score: r.score, decision: r.decision, rule: r.rule, reasons: r.reasons, ...(r.fallback === undefined ? {} : { fallback: r.fallback }), ...(r.variant === undefined ? {} : { variant: r.variant }) } as unknown as LoggedPrediction['prediction'];
          return { prediction, features: r.features as LoggedPrediction['features'], at: r.at, ...(r.request === undefined ? {} : { request: r.request }) };
        });
        for (const entry of given) log.record(entry);
        const window = given.slice(Math.max(0, given.length - capacity));
        const latest = window.filter((e, k) => !window.slice(k + 1).some((later) => later.prediction.id === e.prediction.id));
        const back = log.recent('fraud', capacity);
        for (const entry of latest) expect(log.find('fraud', entry.prediction.id)).toEqual(entry);
        expect(back).toHaveLength(latest.length);
        back.forEach((entry, k) => {
          // toEqual treats -0 as 0 and NaN as NaN; Object.is tells them apart.
          expect(entry).toEqual(latest[k]);
          for (const [key, v] of Object.entries(latest[k]!.features)) expect(Object.is(entry.features[key], v)).toBe(true);
          expect(Object.keys(entry.features)).toEqual(Object.keys(latest[k]!.features));
          expect(Object.is(entry.prediction.score, latest[k]!.prediction.score)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});
