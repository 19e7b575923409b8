import { TandemError } from '../../errors.js';
import { upperRegularizedGamma } from './math/incomplete-gamma.js';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly degreesOfFreedom: number;
}

/**
 * Pearson's chi-square goodness of fit of observed counts against expected counts (same total),
 * as scipy.stats.chisquare(f_obs, f_exp): Σ (o − e)² / e on k − 1 degrees of freedom, p-value
 * Q((k − 1)/2, statistic/2). A bin expected empty but observed non-empty makes the statistic
 * Infinity and the p-value 0, as in scipy; columnDrift avoids that (see column-drift.ts).
 * With a single bin there is nothing to test: the p-value is NaN, as in scipy.
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  if (observed.length !== expected.length || observed.length === 0) {
    throw new TandemError(
      'TANDEM_INVALID_DATASET',
      `chiSquare: ${observed.length} observed but ${expected.length} expected counts; both need the same, non-zero number of bins`,
    );
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i] as number;
    const e = expected[i] as number;
    if (!(o >= 0) || !(e >= 0)) {
      throw new TandemError('TANDEM_INVALID_DATASET', `chiSquare: bin ${i} has observed ${o} and expected ${e}; counts must be non-negative`);
    }
    if (e === 0) {
      if (o > 0) statistic = Infinity;
      continue;
    }
    statistic += ((o - e) * (o - e)) / e;
  }
  const degreesOfFreedom = observed.length - 1;
  const pValue = degreesOfFreedom === 0 ? Number.NaN : upperRegularizedGamma(degreesOfFreedom / 2, statistic / 2);
  return { statistic, pValue, degreesOfFreedom };
}
