import { checkBinaryLabels, checkPairs, checkProbabilities } from './check.js';
import { binCountOf, binsOf, eceOf, type ReliabilityBin } from './calibration.js';
import { accuracyOf, countAt, f1Of, precisionOf, recallOf, thresholdOf, type ConfusionCounts } from './confusion.js';
import { brierScore } from './brier-score.js';
import { logLoss } from './log-loss.js';
import { averagePrecisionOf, prCurveOf } from './pr-auc.js';
import { rocAucOf, rocCurveOf } from './roc-curve.js';
import { thresholdSweep } from './threshold-sweep.js';
import { positiveInteger } from './options.js';

export interface BinaryReportOptions {
  /**
   * Decision threshold for the confusion counts, accuracy, precision, recall and F1.
   * @default 0.5
   */
  readonly threshold?: number;
  /**
   * Fixed-width reliability bins.
   * @default 10
   */
  readonly bins?: number;
  /**
   * Most points kept per curve; longer curves are thinned evenly, keeping both ends.
   * @default 101
   */
  readonly curvePoints?: number;
}

/** A curve as plain arrays, for printing, plotting and storing as JSON. */
export interface CurvePoints {
  readonly x: number[];
  readonly y: number[];
}

/**
 * Everything the train command prints and the registry stores for a binary classifier. A plain
 * object of numbers and arrays; a metric that is undefined on this data (AUC with one class) is
 * NaN, which `JSON.stringify` writes as null.
 */
export interface BinaryReport {
  readonly task: 'binary';
  readonly examples: number;
  readonly positives: number;
  readonly threshold: number;
  readonly rocAuc: number;
  /** Average precision (see `prAuc`). */
  readonly prAuc: number;
  readonly logLoss: number;
  readonly brierScore: number;
  readonly expectedCalibrationError: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly confusion: ConfusionCounts;
  readonly reliability: ReliabilityBin[];
  /** x = false positive rate, y = true positive rate. */
  readonly rocCurve: CurvePoints;
  /** x = recall, y = precision. */
  readonly prCurve: CurvePoints;
}

/** All binary metrics of P(y = 1) against 0/1 labels, validated once. */
export function binaryReport(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: BinaryReportOptions = {},
): BinaryReport {
  checkPairs('binaryReport', probabilities, labels);
  checkBinaryLabels('binaryReport', labels);
  checkProbabilities('binaryReport', probabilities);
  const threshold = thresholdOf('binaryReport', options);
  const bins = binCountOf('binaryReport', options);
  const curvePoints = positiveInteger('binaryReport', 'curvePoints', options.curvePoints ?? 101, 2);
  const confusion = countAt(probabilities, labels, threshold);
  const reliability = binsOf(probabilities, labels, bins);
  // One sweep serves both areas and both curves.
  const sweep = thresholdSweep(probabilities, labels);
  const roc = rocCurveOf(sweep);
  const pr = prCurveOf(sweep);
  return {
    task: 'binary',
    examples: probabilities.length,
    positives: confusion.truePositives + confusion.falseNegatives,
    threshold,
    rocAuc: rocAucOf(sweep),
    prAuc: averagePrecisionOf(sweep),
    logLoss: logLoss(probabilities, labels),
    brierScore: brierScore(probabilities, labels),
    expectedCalibrationError: eceOf(reliability),
    accuracy: accuracyOf(confusion),
    precision: precisionOf(confusion),
    recall: recallOf(confusion),
    f1: f1Of(confusion),
    confusion,
    reliability,
    rocCurve: thin(roc.falsePositiveRate, roc.truePositiveRate, curvePoints),
    prCurve: thin(pr.recall, pr.precision, curvePoints),
  };
}

/** At most `limit` points at evenly spaced indices, first and last always kept. */
function thin(x: Float64Array, y: Float64Array, limit: number): CurvePoints {
  const n = x.length;
  const keep = Math.min(n, limit);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let j = 0; j < keep; j++) {
    const i = keep === 1 ? 0 : Math.round((j * (n - 1)) / (keep - 1));
    xs.push(x[i] as number);
    ys.push(y[i] as number);
  }
  return { x: xs, y: ys };
}
