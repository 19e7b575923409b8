import type { MonitoringDefinition } from '../features/model-monitoring.js';
import { columnDrift, datasetDrift } from './drift/index.js';
import type { ColumnDrift, DatasetDrift, ReferenceProfile } from './types.js';

/** A column's current values: numbers (NaN missing) or categories (null missing). */
export type CurrentValues = Float64Array | readonly (string | null)[];

/**
 * Drift of current values against a reference profile: each feature (and the prediction
 * column, when the profile has one and `values` gives it) by its configured or automatic
 * method; the dataset's drift share counts the input features only. Columns with no values
 * are left out.
 */
export function measureDrift(
  reference: ReferenceProfile,
  values: (column: string) => CurrentValues | undefined,
  options: MonitoringDefinition['drift'],
  context: { readonly at: number; readonly windowSize: number },
): DatasetDrift {
  const measure = (profile: ReferenceProfile['features'][number]): ColumnDrift | undefined => {
    const current = values(profile.name);
    if (current === undefined || current.length === 0) return undefined;
    const override = options.columns[profile.name] ?? {};
    const method = override.method ?? options.method;
    const threshold = override.threshold ?? options.threshold;
    try {
      return columnDrift(profile, current, { ...(method ? { method } : {}), ...(threshold !== undefined ? { threshold } : {}) });
    } catch {
      // Every current value missing: nothing to compare.
      return undefined;
    }
  };
  const features = reference.features.map(measure).filter((c): c is ColumnDrift => c !== undefined);
  const drift = datasetDrift(features, { share: options.share, at: context.at, windowSize: context.windowSize });
  const prediction = reference.prediction === null ? undefined : measure(reference.prediction);
  return prediction === undefined ? drift : { ...drift, columns: [...drift.columns, prediction] };
}
