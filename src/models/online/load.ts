import { TandemError } from '../../errors.js';
import type { ModelArtifact } from '../artifact.js';
import type { OnlineModel } from '../model.js';
import { ftrlFromArtifact } from './ftrl.js';
import { halfSpaceTreesFromArtifact } from './half-space-trees.js';
import { hoeffdingTreeFromArtifact } from './hoeffding-tree.js';
import { onlineLinearRegressionFromArtifact } from './linear-regression.js';

const LOADERS: Readonly<Record<string, (model: ModelArtifact) => OnlineModel>> = {
  ftrl: ftrlFromArtifact,
  'online-linear-regression': onlineLinearRegressionFromArtifact,
  'hoeffding-tree': hoeffdingTreeFromArtifact,
  'half-space-trees': halfSpaceTreesFromArtifact,
};

/** The online model an artifact describes, by its kind. */
export function onlineModelFromArtifact(model: ModelArtifact): OnlineModel {
  const load = LOADERS[model.kind];
  if (load === undefined) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `unknown online model kind '${model.kind}'; known: ${Object.keys(LOADERS).join(', ')}`);
  }
  return load(model);
}
