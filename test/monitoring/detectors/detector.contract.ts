import { isDeepStrictEqual } from 'node:util';
/**
 * The drift detector contract, as River's `check_estimator` is for its models: every detector runs
 * `checkDetector`, which registers the shared checks under one describe block.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src/models/artifact.js';
import type { DetectorState, DriftDetector } from '../../../src/monitoring/detectors/detector.js';
import { loadDetector } from '../../../src/monitoring/detectors/load-detector.js';
import { bernoulliStream } from './streams.js';

export interface DetectorCheckOptions {
  /** Values the detector accepts, for the property checks. */
  readonly values: fc.Arbitrary<number>;
  /** Documented false alarms per 10 000 values on a stationary error rate of 0.1 (docs/concept-drift.md). */
  readonly falseAlarmsPer10k: number;
  /** Longest allowed delay, in values, to detect an error rate jumping from 0.1 to 0.4. */
  readonly maxDelay: number;
}

const STATES: readonly DetectorState[] = ['stable', 'warning', 'drift'];
const SEEDS = 20;

/** Feeds every value and returns the states, in order. */
export function feed(detector: DriftDetector, values: ArrayLike<number>): DetectorState[] {
  const states: DetectorState[] = [];
  for (let i = 0; i < values.length; i++) states.push(detector.update(values[i] as number));
  return states;
}

/** Through text, as a saved detector travels. */
function roundTrip(detector: DriftDetector): DriftDetector {
  return loadDetector(JSON.parse(JSON.stringify(detector.toJSON())) as JsonValue);
}

function abruptChange(seed: number): Float64Array {
  return bernoulliStream(4_000, (i) => (i < 2_000 ? 0.1 : 0.4), seed);
}

export function checkDetector(name: string, factory: () => DriftDetector, options: DetectorCheckOptions): void {
  describe(`${name} (drift detector contract)`, () => {
    it('gives the same states and the same saved state for the same stream', () => {
      const stream = abruptChange(1);
      const a = factory();
      const b = factory();
      expect(feed(a, stream)).toEqual(feed(b, stream));
      expect(a.toJSON()).toEqual(b.toJSON());
      expect(a.changes).toBeGreaterThan(0);
    });

    it('counts the values it has seen and the drifts it has reported', () => {
      const detector = factory();
      const states = feed(detector, abruptChange(2));
      expect(detector.seen).toBe(4_000);
      expect(detector.changes).toBe(states.filter((s) => s === 'drift').length);
      expect(detector.state).toBe(states.at(-1));
    });

    it('is a new detector again after reset', () => {
      const fresh = factory();
      const used = factory();
      feed(used, abruptChange(3));
      used.reset();
      expect(used.toJSON()).toEqual(fresh.toJSON());
      expect([used.seen, used.changes, used.state]).toEqual([0, 0, 'stable']);
      const stream = abruptChange(4);
      expect(feed(used, stream)).toEqual(feed(fresh, stream));
    });

    it('continues identically after a JSON round trip at any point of a stream, drifts included', () => {
      const stream = abruptChange(5);
      const reference = factory();
      const states = feed(reference, stream);
      const driftAt = states.indexOf('drift');
      for (const cut of [0, 1, 37, 1_999, driftAt + 1, driftAt + 2, 3_000]) {
        const original = factory();
        feed(original, stream.subarray(0, cut));
        const restored = roundTrip(original);
        expect(restored.toJSON()).toEqual(original.toJSON());
        expect([restored.state, restored.seen, restored.changes]).toEqual([original.state, original.seen, original.changes]);
        expect(feed(restored, stream.subarray(cut))).toEqual(states.slice(cut));
        expect(restored.toJSON()).toEqual(reference.toJSON());
      }
    });

    it(`raises at most ${options.falseAlarmsPer10k} false alarms per 10 000 values on a stationary error rate`, () => {
      let alarms = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const detector = factory();
        feed(detector, bernoulliStream(10_000, () => 0.1, 1_000 + seed));
        alarms += detector.changes;
      }
      expect(alarms).toBeLessThanOrEqual(options.falseAlarmsPer10k * SEEDS);
    });

    it(`detects an error rate jumping from 0.1 to 0.4 within ${options.maxDelay} values`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const detector = factory();
        const states = feed(detector, abruptChange(2_000 + seed));
        const detectedAt = states.indexOf('drift', 2_000);
        expect(detectedAt, `seed ${seed}`).toBeGreaterThanOrEqual(2_000);
        expect(detectedAt - 2_000, `seed ${seed}`).toBeLessThanOrEqual(options.maxDelay);
      }
    });

    it('rejects a value that is not a number it accepts, naming it, and keeps its state', () => {
      const detector = factory();
      feed(detector, [0, 1, 0]);
      const before = detector.toJSON();
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => detector.update(bad)).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_DATASET', message: expect.stringContaining(String(bad)) }));
      }
      expect(detector.toJSON()).toEqual(before);
    });

    it('always reports one of the three states, counts every value, and never un-counts a drift (property)', () => {
      fc.assert(
        fc.property(fc.array(options.values, { maxLength: 400 }), (values) => {
          const detector = factory();
          let changes = 0;
          values.forEach((x, i) => {
            const state = detector.update(x);
            expect(STATES).toContain(state);
            expect(detector.state).toBe(state);
            expect(detector.seen).toBe(i + 1);
            expect(detector.changes).toBe(changes + (state === 'drift' ? 1 : 0));
            changes = detector.changes;
          });
        }),
        { numRuns: 200 },
      );
    });

    it('reads -0 as 0, so its state survives JSON (which has no -0) exactly', () => {
      const detector = factory();
      feed(detector, [-0, -0, 1, -0, 0, -0]);
      expect(isDeepStrictEqual(roundTrip(detector).toJSON(), detector.toJSON())).toBe(true);
    });

    it('restores from JSON at any point of any stream to a detector that behaves identically (property)', () => {
      fc.assert(
        fc.property(fc.array(options.values, { maxLength: 300 }), fc.nat(), (values, at) => {
          const cut = values.length === 0 ? 0 : at % values.length;
          const original = factory();
          feed(original, values.slice(0, cut));
          const restored = roundTrip(original);
          expect(feed(restored, values.slice(cut))).toEqual(feed(original, values.slice(cut)));
          expect(restored.toJSON()).toEqual(original.toJSON());
        }),
        { numRuns: 200 },
      );
    });
  });
}
