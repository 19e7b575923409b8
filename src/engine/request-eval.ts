import { TandemError, quote } from '../errors.js';
import type { FeatureValue } from '../features/aggregations.js';
import type { RequestFeatures } from '../features/request-features.js';

/**
 * Evaluate a request-feature set on one row (request fields plus the input views' features).
 * The one function both backfill and serving call, so the values agree by construction.
 * `undefined` and NaN read as null.
 */
export function evaluateRequestFeatures(
  set: RequestFeatures,
  row: Readonly<Record<string, FeatureValue>>,
  into: Record<string, FeatureValue> = {},
): Record<string, FeatureValue> {
  for (const name of set.featureNames) {
    let value: unknown;
    try {
      value = set.features[name]!(row);
    } catch (cause) {
      throw new TandemError(
        'TANDEM_FEATURE_VALUE',
        `request features '${set.name}', feature '${name}' threw: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    if (value === undefined || (typeof value === 'number' && value !== value)) value = null;
    if (value !== null && typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
      throw new TandemError(
        'TANDEM_FEATURE_VALUE',
        `request features '${set.name}', feature '${name}' returned ${quote(value)}; return a number, string, boolean or null`,
      );
    }
    into[name] = value as FeatureValue;
  }
  return into;
}
