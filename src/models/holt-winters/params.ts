import { z } from 'zod';
import { between, flag, oneOf, wholeNumber } from '../shared/params.js';

/**
 * Holt-Winters exponential smoothing. Smoothing parameters not given are estimated by
 * minimising the one-step SSE with FPP's "usual" constraints 0 ≤ β ≤ α and 0 ≤ γ ≤ 1 − α,
 * and 0.8 ≤ φ ≤ 0.98 for damping (Hyndman & Athanasopoulos, FPP 2nd ed. §7.3–7.4).
 */
export const holtWintersParamsSchema = z
  .strictObject({
    /** Observations per season m, e.g. 12 for monthly data with a yearly cycle. */
    period: wholeNumber(2, 10_000).optional(),
    /** @default 'additive' */
    seasonal: oneOf(['additive', 'multiplicative', 'none']).default('additive'),
    /** @default 'additive' */
    trend: oneOf(['additive', 'none']).default('additive'),
    /** Damped trend, φ < 1 (Gardner & McKenzie 1985). @default false */
    damped: flag().default(false),
    /** Level smoothing α. Estimated when absent. */
    alpha: between(0, 1).optional(),
    /** Trend smoothing β* (FPP's notation). Estimated when absent. */
    beta: between(0, 1).optional(),
    /** Seasonal smoothing γ. Estimated when absent. */
    gamma: between(0, 1).optional(),
    /** Damping φ. Estimated in [0.8, 0.98] when absent. */
    phi: between(0, 1).optional(),
    /** Nelder–Mead iterations at most, per start. @default 2000 */
    maxIterations: wholeNumber(1).default(2000),
  })
  .refine((p) => p.seasonal === 'none' || p.period !== undefined, { error: 'is required with seasonality', path: ['period'] })
  .refine((p) => p.trend === 'additive' || p.beta === undefined, { error: "needs trend: 'additive'", path: ['beta'] })
  .refine((p) => p.trend === 'additive' || !p.damped, { error: "needs trend: 'additive'", path: ['damped'] })
  .refine((p) => p.damped || p.phi === undefined, { error: 'needs damped: true', path: ['phi'] })
  .refine((p) => p.seasonal !== 'none' || p.gamma === undefined, { error: 'needs seasonality', path: ['gamma'] });

export type HoltWintersParams = z.input<typeof holtWintersParamsSchema>;
export type ResolvedHoltWintersParams = z.output<typeof holtWintersParamsSchema>;
