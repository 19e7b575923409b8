import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ddm } from '../../../src/monitoring/detectors/ddm.js';
import { checkDetector, feed } from './detector.contract.js';
import { bernoulliStream } from './streams.js';

checkDetector('DDM', () => ddm(), {
  values: fc.constantFrom(0, 1),
  falseAlarmsPer10k: 1,
  maxDelay: 1_000,
});

describe('DDM', () => {
  it('warns before it reports a drift when the error rate rises gradually', () => {
    for (let seed = 1; seed <= 10; seed++) {
      // 0.1 for 2 000 values, then a ramp to 0.5 over 2 000 values.
      const stream = bernoulliStream(5_000, (i) => 0.1 + 0.4 * Math.min(1, Math.max(0, (i - 2_000) / 2_000)), 30 + seed);
      const states = feed(ddm(), stream);
      const drift = states.indexOf('drift', 2_000);
      const warning = states.indexOf('warning', 2_000);
      expect(drift, `seed ${seed}`).toBeGreaterThan(2_000);
      expect(warning, `seed ${seed}`).toBeGreaterThanOrEqual(2_000);
      expect(warning, `seed ${seed}`).toBeLessThan(drift);
      expect(states[drift - 1], `seed ${seed}: the value before the drift`).toBe('warning');
    }
  });

  it('tracks the error rate and the minimum of p + s after its warm start', () => {
    const detector = ddm({ warmStart: 4 });
    feed(detector, [1, 0, 0, 0]);
    expect(detector.errorRate).toBe(0.25);
    expect(detector.minimum).toBeNull();
    detector.update(0);
    expect(detector.errorRate).toBe(0.2);
    expect(detector.minimum?.p).toBe(0.2);
    expect(detector.minimum?.s).toBeCloseTo(Math.sqrt((0.2 * 0.8) / 5), 15);
  });

  it('warns past p_min + 2 s_min and reports a drift past p_min + 3 s_min, then starts afresh', () => {
    // By hand: at n = 10 (one error) p_min = 0.1, s_min = √(0.1 · 0.9 / 10) ≈ 0.0949, so the warning
    // level is 0.2897 and the drift level 0.3846. Then p + s = 0.2981 (n = 11), 0.3750 (n = 12),
    // 0.4357 (n = 13): warning, warning, drift; the next value starts afresh (n = 1, in warm start).
    const detector = ddm({ warmStart: 9 });
    const states = feed(detector, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(states.slice(0, 10)).toEqual(Array(10).fill('stable'));
    expect(states.slice(10)).toEqual(['warning', 'warning', 'drift', 'stable']);
    expect(detector.errorRate).toBe(1);
    expect(detector.changes).toBe(1);
  });

  it('rejects anything but 0 and 1, naming the value', () => {
    const detector = ddm();
    for (const bad of [0.5, 2, -1]) {
      expect(() => detector.update(bad)).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_DATASET', message: expect.stringContaining(`got ${bad}`) }));
    }
    expect(detector.seen).toBe(0);
  });

  it('has River’s defaults', () => {
    expect(ddm().params).toEqual({ warmStart: 30, warningThreshold: 2, driftThreshold: 3 });
  });
});
