import { z } from 'zod';
import { above, atLeast, flag, wholeNumber } from '../shared/params.js';

export const DEFAULT_LOGISTIC_L2 = 1e-4;

/**
 * Penalty conventions (the intercept is never penalised; w are the coefficients in original
 * units, ω the row weights, S = Σω):
 *
 * - `l2` (Tandem's): minimise (1/S)·Σ ωᵢ·lossᵢ + (l2/2)·‖w‖², so its strength does not depend on
 *   the number of rows. @default 1e-4 (logistic), 0 (linear: ordinary least squares).
 * - `C` (logistic regression, scikit-learn's): minimise C·Σ ωᵢ·lossᵢ + ½‖w‖², i.e. l2 = 1/(C·S).
 * - `alpha` (linear regression, scikit-learn's `Ridge`): minimise Σ ωᵢ(yᵢ − ŷᵢ)² + alpha·‖w‖²,
 *   i.e. l2 = alpha/S with lossᵢ = ½(yᵢ − ŷᵢ)².
 *
 * Give at most one of them.
 */
const common = {
  l2: atLeast(0).optional(),
  /** Add an unpenalised intercept. @default true */
  fitIntercept: flag().default(true),
  /**
   * Solve in standardized coordinates (mean 0, sd 1). Only conditions the problem: the penalty
   * stays on the original-unit coefficients, so the answer does not change. @default true
   */
  standardize: flag().default(true),
};

export const logisticRegressionParamsSchema = z
  .strictObject({
    ...common,
    C: above(0).optional(),
    /** L-BFGS iterations at most. @default 1000 */
    maxIterations: wholeNumber(1).default(1000),
    /**
     * Stop when every partial derivative of the (1/S-scaled) objective, in standardized
     * coordinates, is at most this; or when the objective stops decreasing (rounding level). @default 1e-8
     */
    tolerance: above(0).default(1e-8),
  })
  .refine((p) => p.l2 === undefined || p.C === undefined, { error: "gives both 'l2' and 'C'; give one", path: ['C'] })
  .transform((p) => (p.l2 === undefined && p.C === undefined ? { ...p, l2: DEFAULT_LOGISTIC_L2 } : p));

export const linearRegressionParamsSchema = z
  .strictObject({ ...common, alpha: atLeast(0).optional() })
  .refine((p) => p.l2 === undefined || p.alpha === undefined, { error: "gives both 'l2' and 'alpha'; give one", path: ['alpha'] })
  .transform((p) => (p.l2 === undefined && p.alpha === undefined ? { ...p, l2: 0 } : p));

export type LogisticRegressionParams = z.input<typeof logisticRegressionParamsSchema>;
export type LinearRegressionParams = z.input<typeof linearRegressionParamsSchema>;
export type ResolvedLogisticRegressionParams = z.output<typeof logisticRegressionParamsSchema>;
export type ResolvedLinearRegressionParams = z.output<typeof linearRegressionParamsSchema>;

/** λ in Σωᵢ·lossᵢ + (λ/2)‖w‖² (logistic) or Σωᵢ(yᵢ − ŷᵢ)² + λ‖w‖² (linear), for S = Σω. */
export function penaltyStrength(
  params: { readonly l2?: number | undefined; readonly C?: number | undefined; readonly alpha?: number | undefined },
  totalWeight: number,
): number {
  if (params.C !== undefined) return 1 / params.C;
  if (params.alpha !== undefined) return params.alpha;
  return (params.l2 ?? 0) * totalWeight;
}
