import type { Column } from '../io/table.js';
import { profileColumn, profileDataset } from '../monitoring/profile/index.js';
import type { ReferenceProfile } from '../monitoring/types.js';
import type { TrainingSet } from './training-set.js';

/**
 * What a version saw in training, for drift monitoring: each input feature over the training
 * rows (numbers as numbers, strings as categories, raw as serving reads them) and the model's
 * scores on training rows.
 */
export function referenceProfile(set: TrainingSet, trainScores: Float64Array): ReferenceProfile {
  const rows = set.order.subarray(0, set.validationStart);
  const features = set.features.map((feature, j) => {
    const column = set.columns[j] as Column;
    if (column.type === 'string') {
      const values = Array.from(rows, (row) => {
        const code = column.codes[row] as number;
        return code < 0 ? null : (column.dictionary[code] as string);
      });
      return { name: feature.name, kind: 'category' as const, values };
    }
    if (column.type === 'json') return { name: feature.name, kind: 'category' as const, values: Array.from(rows, () => null) };
    return { name: feature.name, kind: 'number' as const, values: Float64Array.from(rows, (row) => column.values[row] as number) };
  });
  // The scores cover a sample of the training rows (see TrainResult.trainScores), so they are profiled on their own.
  const profile = profileDataset({ features });
  return { ...profile, prediction: trainScores.length === 0 ? null : profileColumn('prediction', trainScores, { kind: 'number' }) };
}
