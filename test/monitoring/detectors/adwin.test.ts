import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Adwin, adwin } from '../../../src/monitoring/detectors/adwin.js';
import { checkDetector, feed } from './detector.contract.js';
import { gaussianStream } from './streams.js';

checkDetector('ADWIN', () => adwin(), {
  values: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: -10, max: 10, noNaN: true })),
  falseAlarmsPer10k: 0.1,
  maxDelay: 200,
});

function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += ((values[i] as number) - mean) ** 2;
  return { mean, variance: squares / values.length };
}

describe('ADWIN', () => {
  it('keeps the whole stream, its mean and its variance while nothing changes', () => {
    const stream = gaussianStream(3_000, () => 0.4, 0.1, 11);
    const detector = adwin();
    expect(feed(detector, stream)).not.toContain('drift');
    const exact = meanAndVariance(stream);
    expect(detector.width).toBe(3_000);
    expect(detector.estimation).toBeCloseTo(exact.mean, 12);
    expect(detector.variance).toBeCloseTo(exact.variance, 10);
  });

  it('summarises the window in logarithmically many buckets', () => {
    const detector = adwin({ maxBuckets: 5 });
    feed(detector, gaussianStream(100_000, () => 0, 1, 12));
    const rows = (detector.toJSON() as { state: { rows: number[][] } }).state.rows;
    expect(rows.length).toBeLessThanOrEqual(Math.ceil(Math.log2(100_000)));
    for (const row of rows) expect(row.length / 2).toBeLessThanOrEqual(5);
  });

  it('shrinks its window to after the change, and its estimation follows the new mean', () => {
    const stream = gaussianStream(4_000, (i) => (i < 2_000 ? 0.2 : 0.8), 0.1, 13);
    const detector = adwin();
    const states = feed(detector, stream.subarray(0, 2_000));
    expect(states).not.toContain('drift');
    expect(detector.estimation).toBeCloseTo(0.2, 2);
    const after = feed(detector, stream.subarray(2_000));
    const first = after.indexOf('drift');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(64);
    // Old values leave the window; what remains is (almost) all from the new regime.
    expect(detector.width).toBeLessThan(2_000 + 64);
    expect(detector.width).toBeGreaterThan(1_500);
    expect(detector.estimation).toBeCloseTo(0.8, 2);
    // The new regime's variance is 0.01; the whole stream's is about 0.1.
    expect(detector.variance).toBeLessThan(0.02);
  });

  it('detects a shift of a Gaussian loss in both directions', () => {
    for (const [from, to] of [[1, 1.5], [1.5, 1]] as const) {
      const detector = adwin();
      const states = feed(detector, gaussianStream(4_000, (i) => (i < 2_000 ? from : to), 0.5, 14));
      expect(states.indexOf('drift')).toBeGreaterThanOrEqual(2_000);
      expect(states.indexOf('drift')).toBeLessThan(2_200);
    }
  });

  it('tests for a cut only every `clock` values, after the grace period', () => {
    const stream = [...Array<number>(200).fill(0), ...Array<number>(100).fill(1)];
    const drifts = feed(adwin({ clock: 10 }), stream).flatMap((s, i) => (s === 'drift' ? [i + 1] : []));
    expect(drifts.length).toBeGreaterThan(0);
    for (const seen of drifts) expect(seen % 10).toBe(0);
    expect(feed(adwin({ clock: 10, gracePeriod: 300 }), stream)).not.toContain('drift');
  });

  it('is what the factory and the constructor give, with River’s defaults', () => {
    expect(adwin()).toBeInstanceOf(Adwin);
    expect(adwin().params).toEqual({ delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 });
  });
});
