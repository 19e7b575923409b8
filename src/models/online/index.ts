export { Ftrl, ftrl, ftrlFromArtifact, ftrlParamsSchema, type FtrlParams } from './ftrl.js';
export {
  OnlineLinearRegression,
  onlineLinearRegression,
  onlineLinearRegressionFromArtifact,
  onlineLinearRegressionParamsSchema,
  type OnlineLinearRegressionParams,
} from './linear-regression.js';
export { HoeffdingTree, hoeffdingTree, hoeffdingTreeFromArtifact, hoeffdingTreeParamsSchema, type HoeffdingTreeParams } from './hoeffding-tree.js';
export { HalfSpaceTrees, halfSpaceTrees, halfSpaceTreesFromArtifact, halfSpaceTreesParamsSchema, type HalfSpaceTreesParams } from './half-space-trees.js';
export { StreamingStandardScaler, streamingStandardScaler, standardScalerFromArtifact, standardScalerParamsSchema, type StandardScalerParams } from './standard-scaler.js';
export type { OnlineTransformer } from './transformer.js';
export { onlineModelFromArtifact } from './load.js';
export { FeatureHasher, numericIndex, categoricalIndex, biasIndex } from './feature-hasher.js';
