import type { OnlineModel, Row } from '../models/model.js';
import type { LoadedModel } from '../training/bundle.js';
import type { Scorer } from './types.js';

function isOnline(model: LoadedModel['model']): model is OnlineModel {
  return typeof (model as Partial<OnlineModel>).learnOne === 'function';
}

/** Serve a registry version: scores with the version's encodings; online models can learn. */
export function scorerOf(loaded: LoadedModel): Scorer {
  const model = loaded.model;
  const scorer: Scorer = {
    features: loaded.bundle.features,
    score: (row: Row) => loaded.score(row),
    ...(isOnline(model) ? { learn: (row: Row, label: number) => model.learnOne(loaded.inputs(row), label) } : {}),
  };
  return scorer;
}
