import { TandemError } from '../../errors.js';
import { normalSf } from './math/normal.js';

export interface ZTestResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Two-proportion z-test with the pooled proportion, two-sided, as Evidently's z_stat_test:
 * z = (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂)), p = 2 · P(Z > |z|). The tail is computed directly
 * (not as 1 − Φ(|z|)), so small p-values keep their digits. When both samples are all one value
 * (P is 0 or 1) there is no evidence of a difference: z = 0, p = 1.
 */
export function zTest(
  referenceSuccesses: number,
  referenceTotal: number,
  currentSuccesses: number,
  currentTotal: number,
): ZTestResult {
  for (const [successes, total, which] of [
    [referenceSuccesses, referenceTotal, 'reference'],
    [currentSuccesses, currentTotal, 'current'],
  ] as const) {
    if (!(Number.isInteger(successes) && Number.isInteger(total) && total > 0 && successes >= 0 && successes <= total)) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `zTest: ${which} has ${successes} successes out of ${total}; need integers with 0 ≤ successes ≤ total and total > 0`,
      );
    }
  }
  const p1 = referenceSuccesses / referenceTotal;
  const p2 = currentSuccesses / currentTotal;
  const pooled = (p1 * referenceTotal + p2 * currentTotal) / (referenceTotal + currentTotal);
  const variance = pooled * (1 - pooled) * (1 / referenceTotal + 1 / currentTotal);
  if (!(variance > 0)) return { statistic: 0, pValue: 1 };
  const statistic = (p1 - p2) / Math.sqrt(variance);
  return { statistic, pValue: Math.min(2 * normalSf(Math.abs(statistic)), 1) };
}
