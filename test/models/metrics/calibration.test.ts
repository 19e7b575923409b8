import { describe, expect, it } from 'vitest';
import { brierScore, expectedCalibrationError, reliabilityBins } from '../../../src/models/metrics/index.js';

describe('reliabilityBins', () => {
  // Hand-checked with four bins [0, .25) [.25, .5) [.5, .75) [.75, 1]:
  //   bin 0: 0.05 (0), 0.15 (1), 0.1 (0) → mean 0.1, observed 1/3
  //   bin 1: 0.25 (1)                    → mean 0.25, observed 1   (0.25 is the lower edge)
  //   bin 2: 0.5 (0), 0.55 (1)           → mean 0.525, observed 0.5
  //   bin 3: 0.95 (1), 1.0 (1)           → mean 0.975, observed 1 (1 belongs to the last bin)
  const probabilities = Float64Array.of(0.05, 0.15, 0.1, 0.25, 0.5, 0.55, 0.95, 1.0);
  const labels = Float64Array.of(0, 1, 0, 1, 0, 1, 1, 1);

  it('give count, mean prediction and observed rate per fixed-width bin', () => {
    const bins = reliabilityBins(probabilities, labels, { bins: 4 });
    expect(bins.map((bin) => [bin.lower, bin.upper, bin.count])).toEqual([
      [0, 0.25, 3],
      [0.25, 0.5, 1],
      [0.5, 0.75, 2],
      [0.75, 1, 2],
    ]);
    const rounded = (values: number[]): number[] => values.map((v) => Math.round(v * 1e12) / 1e12);
    expect(rounded(bins.map((bin) => bin.meanPredicted))).toEqual([0.1, 0.25, 0.525, 0.975]);
    expect(rounded(bins.map((bin) => bin.observedRate))).toEqual(rounded([1 / 3, 1, 0.5, 1]));
  });

  it('keep empty bins, with count 0 and NaN rates, so diagrams line up', () => {
    const bins = reliabilityBins(probabilities, labels, { bins: 5 });
    expect(bins).toHaveLength(5);
    expect(bins[3]).toEqual({ lower: 0.6, upper: 0.8, count: 0, meanPredicted: Number.NaN, observedRate: Number.NaN });
  });

  it('put every edge k/n into bin k, for any number of bins', () => {
    for (let n = 1; n <= 60; n++) {
      const edges = Float64Array.from({ length: n }, (_, k) => k / n);
      const bins = reliabilityBins(edges, new Float64Array(n), { bins: n });
      expect(bins.map((bin) => bin.count)).toEqual(new Array<number>(n).fill(1));
    }
  });

  it('use ten bins when none are asked for', () => {
    expect(reliabilityBins(probabilities, labels)).toHaveLength(10);
  });
});

describe('expectedCalibrationError', () => {
  it('weights each bin’s gap between mean prediction and observed rate by its count', () => {
    // (3·|0.1 − 1/3| + 1·|0.25 − 1| + 2·|0.525 − 0.5| + 2·|0.975 − 1|) / 8 = 1.55 / 8
    const probabilities = Float64Array.of(0.05, 0.15, 0.1, 0.25, 0.5, 0.55, 0.95, 1.0);
    const labels = Float64Array.of(0, 1, 0, 1, 0, 1, 1, 1);
    expect(expectedCalibrationError(probabilities, labels, { bins: 4 })).toBeCloseTo(0.19375, 12);
  });

  it('is 0 for predictions that match the observed rate in every bin', () => {
    const probabilities = Float64Array.of(0.25, 0.25, 0.25, 0.25, 1, 1);
    const labels = Float64Array.of(1, 0, 0, 0, 1, 1);
    expect(expectedCalibrationError(probabilities, labels)).toBe(0);
  });
});

describe('brierScore', () => {
  it('is the mean squared distance to the label: 0.25 for a constant 0.5', () => {
    expect(brierScore(Float64Array.of(0.5, 0.5), Float64Array.of(0, 1))).toBe(0.25);
    expect(brierScore(Float64Array.of(1, 0), Float64Array.of(1, 0))).toBe(0);
  });
});
