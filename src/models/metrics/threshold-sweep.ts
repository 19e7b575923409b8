/**
 * Counts at every distinct score, highest first: predicting positive when `score >= thresholds[k]`
 * gives `truePositives[k]` and `falsePositives[k]`. The shared pass under the ROC and PR curves and
 * average precision (scikit-learn's `_binary_clf_curve`). Trusts its input: callers validate.
 */
export interface ThresholdSweep {
  readonly thresholds: Float64Array;
  readonly truePositives: Float64Array;
  readonly falsePositives: Float64Array;
  readonly positives: number;
  readonly negatives: number;
}

export function thresholdSweep(scores: ArrayLike<number>, labels: ArrayLike<number>): ThresholdSweep {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] as number;
  const negatives = n - positives;
  // Each class's scores sorted on their own with the native numeric sort (no comparator, no index
  // array: several times faster than sorting indices), then merged from the top.
  const positive = new Float64Array(positives);
  const negative = new Float64Array(negatives);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if ((labels[i] as number) === 1) positive[a++] = scores[i] as number;
    else negative[b++] = scores[i] as number;
  }
  positive.sort();
  negative.sort();
  const thresholds = new Float64Array(n);
  const truePositives = new Float64Array(n);
  const falsePositives = new Float64Array(n);
  let distinct = 0;
  let i = positives - 1;
  let j = negatives - 1;
  while (i >= 0 || j >= 0) {
    const score = Math.max(i >= 0 ? (positive[i] as number) : -Infinity, j >= 0 ? (negative[j] as number) : -Infinity);
    while (i >= 0 && positive[i] === score) i--;
    while (j >= 0 && negative[j] === score) j--;
    thresholds[distinct] = score;
    truePositives[distinct] = positives - 1 - i;
    falsePositives[distinct] = negatives - 1 - j;
    distinct++;
  }
  return {
    thresholds: thresholds.subarray(0, distinct),
    truePositives: truePositives.subarray(0, distinct),
    falsePositives: falsePositives.subarray(0, distinct),
    positives,
    negatives,
  };
}
