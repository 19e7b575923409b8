import { TandemError } from '../../errors.js';
import type { ColumnProfile, ReferenceProfile } from '../types.js';
import type { Category } from './categorical-profile.js';
import type { ProfileOptions } from './options.js';
import { profileColumn } from './profile-column.js';

/** One column of the training data, numbers (NaN for missing) or categories (null for missing). */
export type DatasetColumn =
  | { readonly name: string; readonly kind: 'number'; readonly values: ArrayLike<number> }
  | { readonly name: string; readonly kind: 'category'; readonly values: readonly Category[] };

export interface ProfileDatasetInput {
  readonly features: readonly DatasetColumn[];
  /** The model's scores on the same rows; omitted or null for models that give none. */
  readonly prediction?: DatasetColumn | null;
}

/** The reference profile stored with a model version: every feature and the training predictions. */
export function profileDataset(input: ProfileDatasetInput, options: ProfileOptions = {}): ReferenceProfile {
  const columns = input.prediction ? [...input.features, input.prediction] : input.features;
  const rows = columns[0]?.values.length ?? 0;
  const seen = new Set<string>();
  for (const column of input.features) {
    if (seen.has(column.name)) throw new TandemError('TANDEM_INVALID_DATASET', `profileDataset: feature '${column.name}' appears twice`);
    seen.add(column.name);
  }
  for (const column of columns) {
    if (column.values.length !== rows) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `profileDataset: column '${column.name}' has ${column.values.length} rows but '${columns[0]?.name}' has ${rows}`,
      );
    }
  }
  const profile = (column: DatasetColumn): ColumnProfile => profileColumn(column.name, column.values, { ...options, kind: column.kind });
  return {
    format: 'tandem-reference-profile',
    formatVersion: 1,
    rows,
    features: input.features.map(profile),
    prediction: input.prediction ? profile(input.prediction) : null,
  };
}
