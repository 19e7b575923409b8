import { describe, expect, it } from 'vitest';
import { mae, mape, r2, regressionReport, rmse } from '../../../src/models/metrics/index.js';
import { expectTandemError } from './assertions.js';

describe('regression metrics', () => {
  it('give MAE, RMSE and MAPE on a hand-checked example', () => {
    const predictions = Float64Array.of(11, 18, 30);
    const targets = Float64Array.of(10, 20, 30);
    expect(mae(predictions, targets)).toBe(1);
    expect(rmse(predictions, targets)).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(mape(predictions, targets)).toBeCloseTo((0.1 + 0.1 + 0) / 3, 12);
  });

  it('refuse MAPE when a target is 0 and say which one and what to use instead', () => {
    expectTandemError(
      () => mape(Float64Array.of(1, 2), Float64Array.of(1, 0)),
      'TANDEM_INVALID_DATASET',
      /mape: target 1 is 0.*use mae/,
    );
  });

  it('give R² 1 for perfect predictions and 0 for predicting the mean', () => {
    const targets = Float64Array.of(1, 2, 3, 6);
    expect(r2(targets, targets)).toBe(1);
    expect(r2(Float64Array.of(3, 3, 3, 3), targets)).toBe(0);
  });

  it('give R² NaN when the targets are constant, where it is undefined', () => {
    expect(r2(Float64Array.of(1, 2), Float64Array.of(5, 5))).toBeNaN();
    expect(r2(Float64Array.of(5, 5), Float64Array.of(5, 5))).toBeNaN();
  });
});

describe('regressionReport', () => {
  it('reports MAPE as NaN with the number of zero targets instead of failing', () => {
    const report = regressionReport(Float64Array.of(1, 2, 4), Float64Array.of(0, 2, 3));
    expect(report.mape).toBeNaN();
    expect(report.zeroTargets).toBe(1);
    expect(report.mae).toBeCloseTo(2 / 3, 12);
  });

  it('is a plain object that survives JSON, undefined metrics as null', () => {
    const report = regressionReport(Float64Array.of(1, 2), Float64Array.of(5, 5));
    expect(JSON.parse(JSON.stringify(report))).toEqual({
      task: 'regression',
      examples: 2,
      mae: 3.5,
      rmse: Math.sqrt((16 + 9) / 2),
      mape: 0.7,
      zeroTargets: 0,
      r2: null,
    });
  });
});
