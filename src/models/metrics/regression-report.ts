import { checkRegression, mae, mapeOf, r2, rmse } from './regression.js';

/**
 * Everything the train command prints and the registry stores for a regression model. Undefined
 * metrics are NaN (`JSON.stringify` writes null).
 */
export interface RegressionReport {
  readonly task: 'regression';
  readonly examples: number;
  readonly mae: number;
  readonly rmse: number;
  /** NaN when any target is 0 (see `mape`); `zeroTargets` says how many. */
  readonly mape: number;
  readonly zeroTargets: number;
  readonly r2: number;
}

/** All regression metrics of predictions against targets, validated once. */
export function regressionReport(predictions: ArrayLike<number>, targets: ArrayLike<number>): RegressionReport {
  checkRegression('regressionReport', predictions, targets);
  let zeroTargets = 0;
  for (let i = 0; i < targets.length; i++) if ((targets[i] as number) === 0) zeroTargets++;
  return {
    task: 'regression',
    examples: predictions.length,
    mae: mae(predictions, targets),
    rmse: rmse(predictions, targets),
    // A report must not fail because one metric is undefined on this data; `mape` alone throws.
    mape: zeroTargets > 0 ? Number.NaN : mapeOf(predictions, targets),
    zeroTargets,
    r2: r2(predictions, targets),
  };
}
