export { KMeans, kMeans, kMeansFromArtifact, type KMeansFitReport } from './kmeans.js';
export { kMeansParamsSchema, type KMeansParams } from './params.js';
