export { IsolationForest, isolationForest, isolationForestFromArtifact } from './isolation-forest.js';
export { isolationForestParamsSchema, type IsolationForestParams } from './params.js';
