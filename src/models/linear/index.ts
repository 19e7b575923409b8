export {
  LogisticRegression,
  logisticRegression,
  logisticRegressionFromArtifact,
  type LogisticRegressionFitReport,
} from './logistic-regression.js';
export { LinearRegression, linearRegression, linearRegressionFromArtifact } from './linear-regression.js';
export {
  logisticRegressionParamsSchema,
  linearRegressionParamsSchema,
  type LogisticRegressionParams,
  type LinearRegressionParams,
} from './params.js';
