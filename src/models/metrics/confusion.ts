import { TandemError } from '../../errors.js';
import { checkBinaryLabels, checkPairs } from './check.js';
import { show } from './options.js';

/** Counts of a binary classifier's decisions at one threshold. */
export interface ConfusionCounts {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
}

export interface ThresholdOptions {
  /**
   * A score at or above the threshold is a positive prediction (`score >= threshold`, the
   * convention of scikit-learn's curves and of `Model.predictOne` at 0.5).
   * @default 0.5
   */
  readonly threshold?: number;
}

/** Decision counts for `score >= threshold` against 0/1 labels. */
export function confusionCounts(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ThresholdOptions = {},
): ConfusionCounts {
  checkPairs('confusionCounts', scores, labels);
  checkBinaryLabels('confusionCounts', labels);
  return countAt(scores, labels, thresholdOf('confusionCounts', options));
}

/** Share of correct decisions; NaN for no examples. */
export function accuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, options: ThresholdOptions = {}): number {
  return accuracyOf(confusionCounts(scores, labels, options));
}

/** tp / (tp + fp); 0 when nothing is predicted positive (see `precisionOf`). */
export function precision(scores: ArrayLike<number>, labels: ArrayLike<number>, options: ThresholdOptions = {}): number {
  return precisionOf(confusionCounts(scores, labels, options));
}

/** tp / (tp + fn); 0 when there are no positives (see `recallOf`). */
export function recall(scores: ArrayLike<number>, labels: ArrayLike<number>, options: ThresholdOptions = {}): number {
  return recallOf(confusionCounts(scores, labels, options));
}

/** Harmonic mean of precision and recall, 2tp / (2tp + fp + fn); 0 when that is 0/0 (see `f1Of`). */
export function f1(scores: ArrayLike<number>, labels: ArrayLike<number>, options: ThresholdOptions = {}): number {
  return f1Of(confusionCounts(scores, labels, options));
}

export function accuracyOf(counts: ConfusionCounts): number {
  const total = counts.truePositives + counts.falsePositives + counts.trueNegatives + counts.falseNegatives;
  return total === 0 ? Number.NaN : (counts.truePositives + counts.trueNegatives) / total;
}

/**
 * 0/0 (no positive predictions) gives 0, as scikit-learn's default `zero_division` does: a
 * number a registry can store and a promotion gate can compare, and the pessimistic reading.
 */
export function precisionOf(counts: ConfusionCounts): number {
  const predicted = counts.truePositives + counts.falsePositives;
  return predicted === 0 ? 0 : counts.truePositives / predicted;
}

/** 0/0 (no positive labels) gives 0, like `precisionOf`. */
export function recallOf(counts: ConfusionCounts): number {
  const actual = counts.truePositives + counts.falseNegatives;
  return actual === 0 ? 0 : counts.truePositives / actual;
}

/**
 * Written as 2tp / (2tp + fp + fn), which equals 2PR / (P + R) whenever that is defined and is 0
 * when precision and recall are both 0; 0/0 (no positive labels nor predictions) gives 0.
 */
export function f1Of(counts: ConfusionCounts): number {
  const denominator = 2 * counts.truePositives + counts.falsePositives + counts.falseNegatives;
  return denominator === 0 ? 0 : (2 * counts.truePositives) / denominator;
}

/** Trusts its input: equal lengths, 0/1 labels, no NaN scores. */
export function countAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ConfusionCounts {
  let truePositives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  let falseNegatives = 0;
  for (let i = 0; i < scores.length; i++) {
    const positive = (scores[i] as number) >= threshold;
    if ((labels[i] as number) === 1) {
      if (positive) truePositives++;
      else falseNegatives++;
    } else if (positive) falsePositives++;
    else trueNegatives++;
  }
  return { truePositives, falsePositives, trueNegatives, falseNegatives };
}

export function thresholdOf(metric: string, options: ThresholdOptions): number {
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new TandemError('TANDEM_INVALID_PARAMETER', `${metric}: threshold ${show(threshold)} is not a number`);
  }
  return threshold;
}
