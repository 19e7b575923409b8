export { checkBinaryLabels, checkPairs, checkProbabilities, checkTargets } from './check.js';
export { rocAuc, sortedOrder } from './roc-auc.js';
export { rocCurve, type RocCurve } from './roc-curve.js';
export { prAuc, prCurve, type PrCurve } from './pr-auc.js';
export { logLoss } from './log-loss.js';
export { brierScore } from './brier-score.js';
export {
  accuracy, accuracyOf, confusionCounts, f1, f1Of, precision, precisionOf, recall, recallOf,
  type ConfusionCounts, type ThresholdOptions,
} from './confusion.js';
export {
  expectedCalibrationError, reliabilityBins, type CalibrationOptions, type ReliabilityBin,
} from './calibration.js';
export { mae, mape, r2, rmse } from './regression.js';
export { binaryReport, type BinaryReport, type BinaryReportOptions, type CurvePoints } from './binary-report.js';
export { regressionReport, type RegressionReport } from './regression-report.js';
export {
  RollingBinaryMetrics, type RollingBinaryOptions, type RollingBinaryReport,
} from './rolling-binary-metrics.js';
export {
  RollingRegressionMetrics, type RollingRegressionOptions, type RollingRegressionReport,
} from './rolling-regression-metrics.js';
export {
  prequential, type BinaryPrequentialMetrics, type PrequentialExample, type PrequentialOptions,
  type PrequentialPoint, type PrequentialReport, type RegressionPrequentialMetrics,
} from './prequential.js';
