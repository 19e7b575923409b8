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
          expect(log.find('fraud', `r${id}`)).toBe(latest.find((e) => e.prediction.id === `r${id}`));
        }
      }),
      { numRuns: 500 },
    );
  });
});
