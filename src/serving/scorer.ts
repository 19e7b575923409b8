import { dataset } from '../models/dataset.js';
import type { BatchModel, OnlineModel, Row } from '../models/model.js';
import type { LoadedModel } from '../training/bundle.js';
import type { Scorer } from './types.js';

function isOnline(model: LoadedModel['model']): model is OnlineModel {
  return typeof (model as Partial<OnlineModel>).learnOne === 'function';
}

/** Serve a registry version: scores with the version's encodings; online models can learn. */
export function scorerOf(loaded: LoadedModel): Scorer {
  const model = loaded.model;
  const names = loaded.bundle.features.map((f) => f.name);
  const scorer: Scorer = {
    features: loaded.bundle.features,
    score: (row: Row) => loaded.score(row),
    scoreBatch: (rows: readonly Row[]) => scoreRows(loaded, names, rows),
    ...(isOnline(model) ? { learn: (row: Row, label: number) => model.learnOne(loaded.inputs(row), label) } : {}),
  };
  return scorer;
}

/** Batch models score a columnar batch in one call (`names`: the model's inputs in order); others row by row. */
function scoreRows(loaded: LoadedModel, names: readonly string[], rows: readonly Row[]): ArrayLike<number> {
  const model = loaded.model as Partial<BatchModel>;
  const predict = model.predictProba ?? model.predict;
  if (isOnline(loaded.model) || predict === undefined) return rows.map((row) => loaded.score(row));
  const columns = names.map(() => new Float64Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const x = loaded.inputs(rows[i]!);
    for (let j = 0; j < names.length; j++) {
      const value = x[names[j]!];
      (columns[j] as Float64Array)[i] = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : Number.NaN;
    }
  }
  return predict.call(model, dataset({ featureNames: names, columns }));
}
