import { checkBinaryLabels, checkPairs } from './check.js';
import { thresholdSweep, type ThresholdSweep } from './threshold-sweep.js';

/** Points of the ROC curve, from (0, 0) at threshold +∞ to (1, 1) at the lowest score. */
export interface RocCurve {
  readonly falsePositiveRate: Float64Array;
  readonly truePositiveRate: Float64Array;
  /** Point k predicts positive when `score >= thresholds[k]`; the first is +∞ (nothing positive). */
  readonly thresholds: Float64Array;
}

/**
 * One point per distinct score (scikit-learn's `roc_curve` with `drop_intermediate=False`; its
 * first threshold is max + 1 in 1.2 and +∞ from 1.3, we use +∞). A rate whose class is absent is
 * NaN. O(n log n).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  checkPairs('rocCurve', scores, labels);
  checkBinaryLabels('rocCurve', labels);
  return rocCurveOf(thresholdSweep(scores, labels));
}

/** The ROC curve from a sweep already made (trusts it). */
export function rocCurveOf(sweep: ThresholdSweep): RocCurve {
  const points = sweep.thresholds.length + 1;
  const falsePositiveRate = new Float64Array(points);
  const truePositiveRate = new Float64Array(points);
  const thresholds = new Float64Array(points);
  thresholds[0] = Number.POSITIVE_INFINITY;
  falsePositiveRate[0] = sweep.negatives === 0 ? Number.NaN : 0;
  truePositiveRate[0] = sweep.positives === 0 ? Number.NaN : 0;
  for (let k = 1; k < points; k++) {
    thresholds[k] = sweep.thresholds[k - 1] as number;
    falsePositiveRate[k] = (sweep.falsePositives[k - 1] as number) / sweep.negatives;
    truePositiveRate[k] = (sweep.truePositives[k - 1] as number) / sweep.positives;
  }
  return { falsePositiveRate, truePositiveRate, thresholds };
}

/**
 * The exact ROC AUC from a sweep (trusts it): the Mann-Whitney U counted block by block, each
 * positive beating the negatives below its score and tying half of those at it. U is an exact
 * (half-)integer, so this gives the very same number as `rocAuc`, without a second sort.
 */
export function rocAucOf(sweep: ThresholdSweep): number {
  const { truePositives, falsePositives, positives, negatives } = sweep;
  if (positives === 0 || negatives === 0) return Number.NaN;
  let u = 0;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < truePositives.length; k++) {
    const blockPositives = (truePositives[k] as number) - tp;
    const blockNegatives = (falsePositives[k] as number) - fp;
    fp += blockNegatives;
    u += blockPositives * (negatives - fp) + (blockPositives * blockNegatives) / 2;
    tp += blockPositives;
  }
  return u / (positives * negatives);
}
