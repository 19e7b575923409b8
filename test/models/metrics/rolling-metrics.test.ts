import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RollingBinaryMetrics, RollingRegressionMetrics, accuracy, expectedCalibrationError, logLoss, mae, rmse, rocAuc,
} from '../../../src/models/metrics/index.js';
import { expectClose, expectTandemError } from './assertions.js';

describe('RollingBinaryMetrics', () => {
  it('equals AUC, log loss, accuracy and calibration error recomputed over the last `window` examples after every update', () => {
    const example = fc.record({ p: fc.integer({ min: 0, max: 10 }).map((k) => k / 10), y: fc.integer({ min: 0, max: 1 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(example, { maxLength: 40 }), (window, stream) => {
        const rolling = new RollingBinaryMetrics({ window });
        stream.forEach(({ p, y }, i) => {
          rolling.update(p, y);
          const recent = stream.slice(Math.max(0, i + 1 - window), i + 1);
          const ps = recent.map((e) => e.p);
          const ys = recent.map((e) => e.y);
          expect(rolling.count).toBe(recent.length);
          expectClose(rolling.rocAuc(), rocAuc(ps, ys));
          expectClose(rolling.logLoss(), logLoss(ps, ys));
          expectClose(rolling.accuracy(), accuracy(ps, ys));
          expectClose(rolling.calibrationError(), expectedCalibrationError(ps, ys));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('does not drift over a long stream, because it re-adds its sums each time the window turns over', () => {
    const rolling = new RollingBinaryMetrics({ window: 7 });
    const recent: { p: number; y: number }[] = [];
    let seed = 1;
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 48271) % 2147483647;
      const p = (seed % 1000) / 1000;
      const y = seed % 3 === 0 ? 1 : 0;
      rolling.update(p, y);
      recent.push({ p, y });
      if (recent.length > 7) recent.shift();
    }
    expectClose(rolling.logLoss(), logLoss(recent.map((e) => e.p), recent.map((e) => e.y)), 1e-14);
  });

  it('reports NaN for an empty window and AUC NaN while one class is missing', () => {
    const rolling = new RollingBinaryMetrics({ window: 3 });
    expect(rolling.report()).toEqual({ count: 0, rocAuc: Number.NaN, logLoss: Number.NaN, accuracy: Number.NaN });
    rolling.update(0.8, 1);
    expect(rolling.rocAuc()).toBeNaN();
    expect(rolling.accuracy()).toBe(1);
  });

  it('counts accuracy at the threshold it is given', () => {
    const rolling = new RollingBinaryMetrics({ window: 3, threshold: 0.9 });
    rolling.update(0.8, 1);
    expect(rolling.accuracy()).toBe(0);
  });

  it('refuses a bad window, a probability outside [0, 1] and a label other than 0 or 1', () => {
    expectTandemError(() => new RollingBinaryMetrics({ window: 0 }), 'TANDEM_INVALID_PARAMETER', /RollingBinaryMetrics: window 0 must be a positive integer/);
    const rolling = new RollingBinaryMetrics({ window: 3 });
    expectTandemError(() => rolling.update(Number.NaN, 1), 'TANDEM_INVALID_DATASET', /probability NaN must lie in \[0, 1\]/);
    expectTandemError(() => rolling.update(0.5, -1), 'TANDEM_INVALID_DATASET', /label -1 must be 0 or 1/);
    expect(rolling.count).toBe(0);
  });
});

describe('RollingRegressionMetrics', () => {
  it('equals MAE and RMSE recomputed over the last `window` examples after every update', () => {
    const example = fc.record({ prediction: fc.double({ min: -100, max: 100, noNaN: true }), target: fc.double({ min: -100, max: 100, noNaN: true }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(example, { maxLength: 40 }), (window, stream) => {
        const rolling = new RollingRegressionMetrics({ window });
        stream.forEach(({ prediction, target }, i) => {
          rolling.update(prediction, target);
          const recent = stream.slice(Math.max(0, i + 1 - window), i + 1);
          const predictions = recent.map((e) => e.prediction);
          const targets = recent.map((e) => e.target);
          expectClose(rolling.mae(), mae(predictions, targets));
          expectClose(rolling.rmse(), rmse(predictions, targets));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a small RMSE exact after a large error has left the window', () => {
    const rolling = new RollingRegressionMetrics({ window: 3 });
    rolling.update(1e6, 0);
    rolling.update(1e-3, 0);
    rolling.update(2e-3, 0);
    rolling.update(3e-3, 0);
    expect(rolling.rmse()).toBeCloseTo(Math.sqrt(14e-6 / 3), 15);
    expect(rolling.mae()).toBeCloseTo(2e-3, 15);
  });

  it('refuses a prediction or target that is not finite', () => {
    const rolling = new RollingRegressionMetrics({ window: 2 });
    expectTandemError(() => rolling.update(Number.NaN, 1), 'TANDEM_INVALID_DATASET', /prediction NaN and target 1 must both be finite/);
  });
});
