import { checkBinaryLabels, checkPairs } from './check.js';
import { thresholdSweep, type ThresholdSweep } from './threshold-sweep.js';

/**
 * Area under the precision-recall curve as average precision, the way scikit-learn's
 * `average_precision_score` defines it: AP = Σₖ (Rₖ − Rₖ₋₁) · Pₖ over the distinct thresholds,
 * highest first. Step-wise, with no interpolation: the trapezoidal rule would join precision
 * points linearly, which is optimistic (Davis & Goadrich, ICML 2006), and the 11-point
 * interpolated AP of PASCAL VOC is a different number. Tied scores enter as one step.
 * NaN when there are no positives (scikit-learn warns and returns 0). O(n log n).
 */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPairs('prAuc', scores, labels);
  checkBinaryLabels('prAuc', labels);
  return averagePrecisionOf(thresholdSweep(scores, labels));
}

/** Average precision from a sweep already made (trusts it). */
export function averagePrecisionOf(sweep: ThresholdSweep): number {
  const { truePositives, falsePositives, positives } = sweep;
  if (positives === 0) return Number.NaN;
  let area = 0;
  let previousTp = 0;
  for (let k = 0; k < truePositives.length; k++) {
    const tp = truePositives[k] as number;
    // Only steps that gain recall add area; precision at this threshold is tp / (tp + fp).
    if (tp > previousTp) area += ((tp - previousTp) / positives) * (tp / (tp + (falsePositives[k] as number)));
    previousTp = tp;
  }
  return area;
}

/** Points of the precision-recall curve, from (recall 0, precision 1) down to the lowest score. */
export interface PrCurve {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  /** Point k predicts positive when `score >= thresholds[k]`; the first is +∞ (nothing positive). */
  readonly thresholds: Float64Array;
}

/**
 * One point per distinct score, highest threshold first, after a start point (recall 0,
 * precision 1) at +∞. scikit-learn's `precision_recall_curve` returns the same points in the
 * reverse order with the start point last and without its threshold. Recall is NaN when there
 * are no positives.
 */
export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): PrCurve {
  checkPairs('prCurve', scores, labels);
  checkBinaryLabels('prCurve', labels);
  return prCurveOf(thresholdSweep(scores, labels));
}

/** The precision-recall curve from a sweep already made (trusts it). */
export function prCurveOf(sweep: ThresholdSweep): PrCurve {
  const points = sweep.thresholds.length + 1;
  const precision = new Float64Array(points);
  const recall = new Float64Array(points);
  const thresholds = new Float64Array(points);
  thresholds[0] = Number.POSITIVE_INFINITY;
  precision[0] = 1;
  recall[0] = sweep.positives === 0 ? Number.NaN : 0;
  for (let k = 1; k < points; k++) {
    const tp = sweep.truePositives[k - 1] as number;
    thresholds[k] = sweep.thresholds[k - 1] as number;
    precision[k] = tp / (tp + (sweep.falsePositives[k - 1] as number));
    recall[k] = tp / sweep.positives;
  }
  return { precision, recall, thresholds };
}
