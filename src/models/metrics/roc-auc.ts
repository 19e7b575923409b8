import { checkBinaryLabels, checkPairs } from './check.js';

/**
 * Exact area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half (the Mann-Whitney U statistic over midranks). O(n log n).
 * NaN when either class is absent. Labels must be 0 or 1: anything else (-1, 2, NaN) is an error,
 * not a silent negative.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPairs('rocAuc', scores, labels);
  checkBinaryLabels('rocAuc', labels);
  const n = scores.length;
  const order = sortedOrder(scores);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    // A block of tied scores shares the mean of its ranks (1-based).
    let j = i;
    const score = scores[order[i] as number] as number;
    while (j + 1 < n && scores[order[j + 1] as number] === score) j++;
    const midrank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if ((labels[order[k] as number] as number) === 1) {
        positives++;
        rankSum += midrank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Indices of `values` in ascending order (NaN is rejected earlier). */
export function sortedOrder(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = values[i] as number;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  return order;
}
