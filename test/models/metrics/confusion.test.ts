import { describe, expect, it } from 'vitest';
import { accuracy, confusionCounts, f1, precision, recall } from '../../../src/models/metrics/index.js';

describe('metrics at a threshold', () => {
  const scores = Float64Array.of(0.9, 0.5, 0.49, 0.1);
  const labels = Float64Array.of(1, 1, 0, 0);

  it('count a score exactly at the threshold as a positive prediction', () => {
    expect(confusionCounts(scores, labels, { threshold: 0.5 })).toEqual({
      truePositives: 2,
      falsePositives: 0,
      trueNegatives: 2,
      falseNegatives: 0,
    });
    expect(confusionCounts(scores, labels, { threshold: 0.51 }).falseNegatives).toBe(1);
  });

  it('use a threshold of 0.5 when none is given', () => {
    expect(accuracy(scores, labels)).toBe(1);
  });

  it('give precision 0, not NaN, when nothing is predicted positive', () => {
    expect(precision(scores, labels, { threshold: 2 })).toBe(0);
    expect(recall(scores, labels, { threshold: 2 })).toBe(0);
    expect(f1(scores, labels, { threshold: 2 })).toBe(0);
  });

  it('give recall and F1 0, not NaN, when there are no positive labels', () => {
    const negatives = Float64Array.of(0, 0, 0);
    expect(recall(Float64Array.of(0.1, 0.2, 0.3), negatives)).toBe(0);
    expect(f1(Float64Array.of(0.1, 0.2, 0.3), negatives)).toBe(0);
    expect(accuracy(Float64Array.of(0.1, 0.2, 0.3), negatives)).toBe(1);
  });

  it('give F1 as the harmonic mean of precision and recall', () => {
    const p = Float64Array.of(0.9, 0.8, 0.7, 0.2, 0.6);
    const y = Float64Array.of(1, 0, 1, 1, 0);
    const [pr, re] = [precision(p, y), recall(p, y)];
    expect(pr).toBeCloseTo(2 / 4, 12);
    expect(re).toBeCloseTo(2 / 3, 12);
    expect(f1(p, y)).toBeCloseTo((2 * pr * re) / (pr + re), 12);
  });

  it('give accuracy NaN for no examples', () => {
    expect(accuracy(new Float64Array(0), new Float64Array(0))).toBeNaN();
  });
});
