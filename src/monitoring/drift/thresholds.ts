import type { DriftMethod } from '../types.js';

/** Methods whose statistic is a test's p-value (drift below the threshold); the rest are distances (drift at or above it). */
export const TESTS: ReadonlySet<DriftMethod> = new Set(['ks', 'chi-square', 'z-test']);

/**
 * Evidently's defaults: tests at the 0.05 significance level; distances at 0.1 (normalised
 * Wasserstein, Jensen–Shannon, and PSI's "some shift" mark).
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  'chi-square': 0.05,
  'z-test': 0.05,
  psi: 0.1,
  'jensen-shannon': 0.1,
  wasserstein: 0.1,
};

/** Evidently's rule switches from tests to distances above this many reference values. */
export const SMALL_REFERENCE = 1000;
/** Numeric columns with at most this many distinct values are compared as categories. */
export const FEW_DISTINCT = 5;
