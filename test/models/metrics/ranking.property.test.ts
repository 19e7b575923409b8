import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prAuc, prCurve, rocAuc, rocCurve } from '../../../src/models/metrics/index.js';
import { rocAucOf } from '../../../src/models/metrics/roc-curve.js';
import { thresholdSweep } from '../../../src/models/metrics/threshold-sweep.js';
import { expectClose } from './assertions.js';

/** Scores drawn from a handful of values, so ties are everywhere, and labels of both classes. */
const scoredLabels = fc
  .array(fc.record({ score: fc.integer({ min: 0, max: 6 }), label: fc.integer({ min: 0, max: 1 }) }), {
    minLength: 2,
    maxLength: 80,
  })
  .map((rows) => ({
    scores: Float64Array.from(rows, (row) => row.score / 6),
    labels: Float64Array.from(rows, (row) => row.label),
  }));

/** Every (positive, negative) pair: 1 when the positive scores higher, 1/2 on a tie. */
function pairwiseAuc(scores: Float64Array, labels: Float64Array): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      const si = scores[i] as number;
      const sj = scores[j] as number;
      wins += si > sj ? 1 : si === sj ? 0.5 : 0;
    }
  }
  return pairs === 0 ? Number.NaN : wins / pairs;
}

/** Mean over positives of the precision among all examples scoring at least as high. */
function bruteForceAveragePrecision(scores: Float64Array, labels: Float64Array): number {
  let sum = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    positives++;
    let above = 0;
    let positiveAbove = 0;
    for (let j = 0; j < scores.length; j++) {
      if ((scores[j] as number) >= (scores[i] as number)) {
        above++;
        positiveAbove += labels[j] as number;
      }
    }
    sum += positiveAbove / above;
  }
  return positives === 0 ? Number.NaN : sum / positives;
}

function trapezoid(x: Float64Array, y: Float64Array): number {
  let area = 0;
  for (let k = 1; k < x.length; k++) area += ((x[k] as number) - (x[k - 1] as number)) * ((y[k] as number) + (y[k - 1] as number)) / 2;
  return area;
}

describe('rocAuc', () => {
  it('equals the brute-force count over every positive-negative pair, ties counting one half', () => {
    fc.assert(
      fc.property(scoredLabels, ({ scores, labels }) => {
        expectClose(rocAuc(scores, labels), pairwiseAuc(scores, labels));
      }),
      { numRuns: 500 },
    );
  });

  it('is the very same number when binaryReport computes it from its one threshold sweep', () => {
    fc.assert(
      fc.property(scoredLabels, ({ scores, labels }) => {
        expect(rocAucOf(thresholdSweep(scores, labels))).toBe(rocAuc(scores, labels));
      }),
      { numRuns: 500 },
    );
  });

  it('equals the trapezoidal area under rocCurve', () => {
    fc.assert(
      fc.property(scoredLabels, ({ scores, labels }) => {
        const curve = rocCurve(scores, labels);
        const expected = rocAuc(scores, labels);
        if (Number.isNaN(expected)) return;
        expectClose(trapezoid(curve.falsePositiveRate, curve.truePositiveRate), expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('prAuc', () => {
  it('equals the mean, over positives, of the precision at that positive’s score', () => {
    fc.assert(
      fc.property(scoredLabels, ({ scores, labels }) => {
        expectClose(prAuc(scores, labels), bruteForceAveragePrecision(scores, labels));
      }),
      { numRuns: 500 },
    );
  });

  it('is the step-wise sum of recall gains times precision over prCurve, with no interpolation', () => {
    fc.assert(
      fc.property(scoredLabels, ({ scores, labels }) => {
        const { precision, recall } = prCurve(scores, labels);
        let steps = 0;
        for (let k = 1; k < recall.length; k++) steps += ((recall[k] as number) - (recall[k - 1] as number)) * (precision[k] as number);
        expectClose(prAuc(scores, labels), labels.includes(1) ? steps : Number.NaN);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the examples', () => {
    const scores = Float64Array.of(0.9, 0.5, 0.5, 0.2, 0.5);
    const labels = Float64Array.of(1, 0, 1, 0, 1);
    expect(prAuc(scores, labels)).toBe(prAuc(scores.slice().reverse(), labels.slice().reverse()));
  });
});
