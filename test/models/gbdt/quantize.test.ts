import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeArtifact } from '../../../src/models/artifact.js';
import { dataset } from '../../../src/models/dataset.js';
import { gbdt, gbdtFromArtifact } from '../../../src/models/gbdt/index.js';
import { QUANT, QUANTIZED_MAX_ROWS, oddsFactor, quantization, quantizeRows, setSteps, startQuantizing, withLeaf } from '../../../src/models/gbdt/quantize.js';
import { allocateWork } from '../../../src/models/gbdt/work.js';
import { rocAuc } from '../../../src/models/metrics/roc-auc.js';
import { checkBatchModel } from '../check-model.js';
import { binarySet, uniform } from './data.js';

const train = binarySet(6000, 1);
const test = binarySet(3000, 2);

describe('gbdt quantized gradients', () => {
  it('packs so that no sum of n rows can reach 2^53 and the hessian sums never carry into the gradient sums', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: QUANTIZED_MAX_ROWS }), (rows) => {
        const { scale, gBits, hBits } = quantization(rows);
        expect(gBits).toBeGreaterThanOrEqual(3);
        expect(hBits).toBeGreaterThanOrEqual(2);
        // The records hold rounded values in int16.
        expect(2 ** gBits + 1).toBeLessThanOrEqual(32_767);
        expect(2 ** hBits + 1).toBeLessThanOrEqual(32_767);
        // Rounded values lie in [−2^gBits, 2^gBits] and [0, 2^hBits].
        expect(rows * 2 ** hBits).toBeLessThan(scale);
        expect(rows * 2 ** gBits * scale + rows * 2 ** hBits).toBeLessThan(2 ** 53);
      }),
    );
    expect(quantization(800_000)).toEqual({ scale: 2 ** 26, gBits: 6, hBits: 5 });
    expect(() => quantization(QUANTIZED_MAX_ROWS + 1)).toThrow(/quantizeGradients supports at most 8,388,607 training rows/);
  });

  it('rounds each value to a neighbouring step, without bias, into the int16 pair of its record', () => {
    const rows = 200_000;
    const work = allocateWork({ rows, features: 4, shared: false, quantized: { measured: true } });
    startQuantizing(work, quantization(rows), undefined);
    setSteps(work, 1, 0.25);
    work.quant[QUANT.seed] = 12345;
    const next = uniform(5);
    for (let r = 0; r < rows; r++) {
      work.exact[2 * r] = next() * 2 - 1;
      work.exact[2 * r + 1] = next() * 0.25;
    }
    quantizeRows(work, 0, rows);
    const gStep = work.quant[QUANT.gStep] as number;
    const hStep = work.quant[QUANT.hStep] as number;
    let gError = 0;
    let hError = 0;
    let bad = 0;
    let up = 0;
    for (let r = 0; r < rows; r++) {
      const gq = work.pairs[2 * r * work.words] as number;
      const hq = work.pairs[2 * r * work.words + 1] as number;
      const gx = (work.exact[2 * r] as number) / gStep;
      const hx = (work.exact[2 * r + 1] as number) / hStep;
      if (!(gq === Math.floor(gx) || gq === Math.ceil(gx)) || !(hq === Math.floor(hx) || hq === Math.ceil(hx))) bad++;
      if (gq > gx) up++;
      gError += gq - gx;
      hError += hq - hx;
    }
    expect(bad).toBe(0);
    // Both directions are taken (a plain round-to-nearest would pass the test above).
    expect(up / rows).toBeGreaterThan(0.4);
    expect(up / rows).toBeLessThan(0.6);
    // Each error has mean 0 and |error| < 1: independent draws would keep the sums within 3σ < 1.5√rows.
    expect(Math.abs(gError)).toBeLessThan(1.5 * Math.sqrt(rows));
    expect(Math.abs(hError)).toBeLessThan(1.5 * Math.sqrt(rows));
  });

  it('moves a probability and its complement by a leaf value as the sigmoid of the summed margins does', () => {
    const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));
    fc.assert(
      fc.property(fc.double({ min: -600, max: 600, noNaN: true }), fc.double({ min: -30, max: 30, noNaN: true }), (m, v) => {
        const p = Float64Array.of(sigmoid(m));
        const q = Float64Array.of(sigmoid(-m));
        withLeaf(p, q, 0, oddsFactor(v));
        // Both relative to themselves: precise near 0 and near 1 alike.
        expect(Math.abs((p[0] as number) - sigmoid(m + v))).toBeLessThanOrEqual(1e-13 * sigmoid(m + v));
        expect(Math.abs((q[0] as number) - sigmoid(-m - v))).toBeLessThanOrEqual(1e-13 * sigmoid(-m - v));
      }),
    );
    // A row pushed to p = 1 in doubles (margin 40) comes back when later leaves pull it down.
    const p = Float64Array.of(sigmoid(40));
    const q = Float64Array.of(sigmoid(-40));
    expect(p[0]).toBe(1);
    withLeaf(p, q, 0, oddsFactor(-45));
    expect(p[0]).toBeCloseTo(sigmoid(-5), 14);
    // Leaf values beyond ±700 are clamped, so the update stays finite.
    withLeaf(p, q, 0, oddsFactor(1e6));
    expect(Number.isFinite(p[0]) && Number.isFinite(q[0])).toBe(true);
  });

  it('learns as well as exact training on a binary task, in both growth modes, with and without row sampling', () => {
    for (const [growth, subsample] of [['depthwise', 1], ['leafwise', 1], ['depthwise', 0.7]] as const) {
      const exact = gbdt({ rounds: 60, growth, subsample, seed: 4 });
      exact.fit(train);
      const quantized = gbdt({ rounds: 60, growth, subsample, seed: 4, quantizeGradients: true });
      quantized.fit(train);
      const labels = test.label as Float64Array;
      const exactAuc = rocAuc(exact.predictProba(test), labels);
      const quantizedAuc = rocAuc(quantized.predictProba(test), labels);
      expect(quantizedAuc).toBeGreaterThan(0.8);
      expect(Math.abs(quantizedAuc - exactAuc)).toBeLessThan(0.005);
      // The models are not the exact ones: the splits see rounded sums.
      expect(serializeArtifact(quantized.toArtifact())).not.toBe(serializeArtifact(exact.toArtifact()));
    }
  });

  it('trains with row weights and stops early on a validation set, as exact training does', () => {
    // Weights: the rows of one region count five times, which moves the fit towards them.
    const weight = Float64Array.from({ length: train.rows }, (_, i) => ((train.columns[0] as Float64Array)[i]! > 1 ? 5 : 1));
    const weighted = dataset({ featureNames: train.featureNames, columns: train.columns, label: train.label as Float64Array, weight });
    for (const quantizeGradients of [false, true]) {
      const model = gbdt({ rounds: 300, learningRate: 0.3, earlyStoppingRounds: 10, seed: 2, quantizeGradients });
      const report = model.fit(weighted, { validation: test });
      expect(report.stoppedEarly).toBe(true);
      expect(report.iterations - report.bestIteration).toBe(10);
      expect(rocAuc(model.predictProba(test), test.label as Float64Array)).toBeGreaterThan(0.8);
    }
    // The weights count: the quantized weighted fit is closer to the exact weighted fit than the
    // quantized unweighted fit is.
    const fit = (data: typeof train, quantizeGradients: boolean): Float64Array => {
      const model = gbdt({ rounds: 60, seed: 2, quantizeGradients });
      model.fit(data);
      return model.predictProba(test);
    };
    const distance = (a: Float64Array, b: Float64Array): number => a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] as number)), 0) / a.length;
    const exactWeighted = fit(weighted, false);
    expect(distance(fit(weighted, true), exactWeighted)).toBeLessThan(distance(fit(train, true), exactWeighted));
  });

  it('fits squared error, whose steps are measured each round, close to the exact fit', () => {
    const next = uniform(3);
    const rows = 4000;
    const x = Float64Array.from({ length: rows }, () => next() * 6 - 3);
    const z = Float64Array.from({ length: rows }, () => next());
    const label = Float64Array.from(x, (v, i) => 100 * Math.sin(v) + 200 * (z[i] as number));
    const data = dataset({ featureNames: ['x', 'z'], columns: [x, z], label });
    const model = gbdt({ objective: 'squared-error', rounds: 200, learningRate: 0.2, quantizeGradients: true });
    model.fit(data);
    for (const v of [-2.5, -1, 0, 1, 2.5]) expect(Math.abs((model.predictOne({ x: v, z: 0.5 }) as number) - (100 * Math.sin(v) + 100))).toBeLessThan(8);
  });

  it('keeps the parameter in the artifact and reproduces the same bytes; rejects a non-boolean', () => {
    const params = { rounds: 20, subsample: 0.8, colsampleByTree: 0.75, seed: 9, quantizeGradients: true } as const;
    const first = gbdt(params);
    first.fit(train);
    const second = gbdt(params);
    second.fit(train);
    expect(serializeArtifact(second.toArtifact())).toBe(serializeArtifact(first.toArtifact()));
    expect(first.toArtifact().params).toMatchObject({ quantizeGradients: true });
    const loaded = gbdtFromArtifact(first.toArtifact());
    expect(loaded.predictProba(test)).toEqual(first.predictProba(test));
    // Absent unless set, so artifacts of exact training keep their bytes.
    expect(gbdt({ rounds: 2 }).params).not.toHaveProperty('quantizeGradients');
    expect(() => gbdt({ quantizeGradients: 'yes' as never })).toThrow(/parameter 'quantizeGradients' must be true or false, got 'yes'/);
  });
});

checkBatchModel('gbdt, quantized gradients', (seed) => gbdt({ rounds: 10, seed, quantizeGradients: true }), binarySet(800, 3), {
  fromArtifact: gbdtFromArtifact,
});
