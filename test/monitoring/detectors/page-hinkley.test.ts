import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageHinkley } from '../../../src/monitoring/detectors/page-hinkley.js';
import { checkDetector, feed } from './detector.contract.js';
import { gaussianStream } from './streams.js';

checkDetector('Page-Hinkley', () => pageHinkley(), {
  values: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: -10, max: 10, noNaN: true })),
  falseAlarmsPer10k: 1,
  maxDelay: 300,
});

describe('Page-Hinkley', () => {
  // By hand, α = 0.5, δ = 0.1, stream 2, 4, 0:
  //   x̄ = 2, 3, 2; deviations 0, 1, −2
  //   m⁺ = −0.1, 0.5·(−0.1) + 1 − 0.1 = 0.85, 0.5·0.85 − 2 − 0.1 = −1.675; min m⁺ = −0.1, −0.1, −1.675
  //   m⁻ =  0.1, 0.5·0.1 + 1 + 0.1 = 1.15, 0.5·1.15 − 2 + 0.1 = −1.325; max m⁻ = 0.1, 1.15, 1.15
  //   increase = 0, 0.95, 0; decrease = 0, 0, 2.475
  it('keeps the cumulative sums computed by hand on a short stream', () => {
    const detector = pageHinkley({ alpha: 0.5, delta: 0.1, threshold: 2, minInstances: 1 });
    const expected = [
      { mean: 2, increase: 0, decrease: 0, state: 'stable' },
      { mean: 3, increase: 0.95, decrease: 0, state: 'stable' },
      { mean: 2, increase: 0, decrease: 2.475, state: 'drift' },
    ];
    [2, 4, 0].forEach((x, i) => {
      const state = detector.update(x);
      const want = expected[i] as (typeof expected)[number];
      expect(state).toBe(want.state);
      expect(detector.mean).toBeCloseTo(want.mean, 12);
      expect(detector.increase).toBeCloseTo(want.increase, 12);
      expect(detector.decrease).toBeCloseTo(want.decrease, 12);
    });
  });

  it('starts afresh on the value after a drift, as River does', () => {
    const detector = pageHinkley({ alpha: 0.5, delta: 0.1, threshold: 2, minInstances: 1 });
    feed(detector, [2, 4, 0]);
    expect(detector.update(5)).toBe('stable');
    expect([detector.mean, detector.increase, detector.decrease]).toEqual([5, 0, 0]);
    expect([detector.seen, detector.changes]).toEqual([4, 1]);
  });

  it('watches only the direction its mode names', () => {
    const up = pageHinkley({ alpha: 0.5, delta: 0.1, threshold: 0.9, minInstances: 1, mode: 'up' });
    expect(feed(up, [2, 4, 0])).toEqual(['stable', 'drift', 'stable']);
    const down = pageHinkley({ alpha: 0.5, delta: 0.1, threshold: 2, minInstances: 1, mode: 'down' });
    expect(feed(down, [2, 4, 0])).toEqual(['stable', 'stable', 'drift']);
    const both = pageHinkley({ alpha: 0.5, delta: 0.1, threshold: 0.9, minInstances: 1 });
    expect(feed(both, [2, 4])).toEqual(['stable', 'drift']);
  });

  it('does not test before minInstances values', () => {
    const detector = pageHinkley({ alpha: 0.5, delta: 0.1, threshold: 0.9, minInstances: 3, mode: 'up' });
    expect(feed(detector, [2, 4])).toEqual(['stable', 'stable']);
  });

  it('detects a mean shift of a Gaussian loss up and down', () => {
    for (const [from, to] of [[1, 1.5], [1.5, 1]] as const) {
      const states = feed(pageHinkley(), gaussianStream(4_000, (i) => (i < 2_000 ? from : to), 0.5, 21));
      const at = states.indexOf('drift', 2_000);
      expect(at).toBeGreaterThanOrEqual(2_000);
      expect(at - 2_000).toBeLessThan(500);
    }
  });

  it('has River’s defaults', () => {
    expect(pageHinkley().params).toEqual({ minInstances: 30, delta: 0.005, threshold: 50, alpha: 0.9999, mode: 'both' });
  });
});
