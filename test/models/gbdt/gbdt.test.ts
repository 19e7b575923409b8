import { describe, expect, it } from 'vitest';
import { parseArtifact, serializeArtifact } from '../../../src/models/artifact.js';
import { dataset, rowOf, takeRows } from '../../../src/models/dataset.js';
import { rocAuc } from '../../../src/models/metrics/roc-auc.js';
import { Gbdt, gbdt, gbdtFromArtifact, gbdtParamsSchema } from '../../../src/models/gbdt/index.js';
import { checkBatchModel } from '../check-model.js';
import { binarySet, uniform } from './data.js';

const train = binarySet(4000, 1);
const test = binarySet(2000, 2);

describe('gbdt', () => {
  it('learns a binary task well above chance', () => {
    const model = gbdt({ rounds: 40, maxDepth: 4 });
    const report = model.fit(train);
    expect(report.iterations).toBe(40);
    expect(rocAuc(model.predictProba(test), test.label as Float64Array)).toBeGreaterThan(0.8);
    expect(model.task).toBe('binary');
  });

  it('scores one row exactly as the batch scores it, bit for bit', () => {
    const model = gbdt({ rounds: 30, maxDepth: 5 });
    model.fit(train);
    const proba = model.predictProba(test);
    const classes = model.predict(test);
    for (let i = 0; i < test.rows; i++) {
      const row = rowOf(test, i);
      expect(Object.is(model.predictProbaOne(row), proba[i])).toBe(true);
      expect(model.predictOne(row)).toBe(classes[i]);
    }
  });

  it('loads from its serialized artifact and predicts identically', () => {
    const model = gbdt({ rounds: 25, growth: 'leafwise', maxLeaves: 12 });
    model.fit(train);
    const text = serializeArtifact(model.toArtifact());
    const loaded = gbdtFromArtifact(parseArtifact(text));
    expect(serializeArtifact(loaded.toArtifact())).toBe(text);
    const a = model.predictProba(test);
    const b = loaded.predictProba(test);
    expect(b).toEqual(a);
    expect(loaded.predictProbaOne(rowOf(test, 3))).toBe(a[3]);
  });

  it('gives byte-identical artifacts for two fits with the same seed and data, sampling included', () => {
    const params = { rounds: 20, subsample: 0.7, colsampleByTree: 0.5, seed: 11 } as const;
    const first = gbdt(params);
    first.fit(train);
    const second = gbdt(params);
    second.fit(train);
    expect(serializeArtifact(second.toArtifact())).toBe(serializeArtifact(first.toArtifact()));
    const other = gbdt({ ...params, seed: 12 });
    other.fit(train);
    expect(serializeArtifact(other.toArtifact())).not.toBe(serializeArtifact(first.toArtifact()));
  });

  it('learns from missingness itself: a feature that is missing exactly when the label is 1', () => {
    const next = uniform(5);
    const rows = 3000;
    const signal = new Float64Array(rows);
    const noise = new Float64Array(rows);
    const label = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      label[i] = next() < 0.4 ? 1 : 0;
      signal[i] = label[i] === 1 ? Number.NaN : next();
      noise[i] = next();
    }
    const data = dataset({ featureNames: ['signal', 'noise'], columns: [signal, noise], label });
    const model = gbdt({ rounds: 20, maxDepth: 2 });
    const report = model.fit(data);
    expect(model.predictProbaOne({ signal: null, noise: 0.5 })).toBeGreaterThan(0.9);
    expect(model.predictProbaOne({ noise: 0.5 })).toBeGreaterThan(0.9);
    expect(model.predictProbaOne({ signal: 0.5, noise: 0.5 })).toBeLessThan(0.1);
    expect(report.featureImportance['signal']).toBeGreaterThan(100 * (report.featureImportance['noise'] ?? 0));
  });

  it('treats absent, null, NaN and non-numeric values as missing and ignores unknown keys', () => {
    const model = gbdt({ rounds: 10 });
    model.fit(train);
    const allMissing = model.predictProbaOne({});
    expect(Number.isFinite(allMissing)).toBe(true);
    expect(model.predictProbaOne({ a: null, b: Number.NaN, c: undefined, d: 'three' })).toBe(allMissing);
    const row = rowOf(test, 0);
    expect(model.predictProbaOne({ ...row, unseen: 42, other: 'x' })).toBe(model.predictProbaOne(row));
    // A scoring set without a training column scores it as missing.
    const partial = dataset({ featureNames: ['d', 'a'], columns: [test.columns[3]!, test.columns[0]!] });
    const scores = model.predictProba(partial);
    expect(scores[0]).toBe(model.predictProbaOne({ a: test.columns[0]![0], d: test.columns[3]![0] }));
  });

  it('rejects bad parameters naming the parameter and the value', () => {
    expect(() => gbdt({ learningRate: 0 })).toThrow(/parameter 'learningRate' must be > 0, got 0/);
    expect(() => gbdt({ maxDepth: -1 })).toThrow(/parameter 'maxDepth' must be ≥ 1, got -1/);
    expect(() => gbdt({ objective: 'poisson' as 'logloss' })).toThrow(/parameter 'objective' must be one of 'logloss', 'squared-error', got 'poisson'/);
    expect(() => gbdt({ subsample: 1.5 })).toThrow(/parameter 'subsample' must be > 0 and ≤ 1, got 1.5/);
    expect(() => gbdt({ maxdepth: 3 } as never)).toThrow(/unknown parameter 'maxdepth'/);
    try {
      gbdt({ rounds: 2.5 });
    } catch (error) {
      expect((error as { code: string }).code).toBe('TANDEM_INVALID_PARAMETER');
    }
    expect(gbdtParamsSchema.parse({}).rounds).toBe(100);
  });

  it('rejects labels the objective cannot use and refuses to predict before fit', () => {
    const bad = dataset({ featureNames: ['x'], columns: [Float64Array.of(1, 2)], label: Float64Array.of(0, 2) });
    expect(() => gbdt().fit(bad)).toThrow(/needs labels 0 or 1, row 1 has 2/);
    expect(() => gbdt().predictOne({ x: 1 })).toThrow(/not fitted/);
  });

  it('stops early when the validation loss stops improving and says when', () => {
    // Pure noise labels: the validation loss bottoms out after a few rounds.
    const next = uniform(9);
    const noisy = (rows: number) => {
      const x = Float64Array.from({ length: rows }, () => next());
      const label = Float64Array.from({ length: rows }, () => (next() < 0.5 ? 1 : 0));
      return dataset({ featureNames: ['x'], columns: [x], label });
    };
    const model = gbdt({ rounds: 200, maxDepth: 6, learningRate: 0.3, minChildWeight: 0, earlyStoppingRounds: 5 });
    const report = model.fit(noisy(2000), { validation: noisy(1000) });
    expect(report.stoppedEarly).toBe(true);
    expect(report.iterations).toBeLessThan(200);
    expect(report.validationLoss).toHaveLength(report.iterations);
    expect(report.iterations - report.bestIteration).toBe(5);
    const losses = report.validationLoss as readonly number[];
    expect(Math.min(...losses)).toBe(losses[report.bestIteration - 1]);
    expect(model.toArtifact().state).toBeTruthy();
  });

  it('reports the validation loss per round without stopping when earlyStoppingRounds is unset', () => {
    const model = gbdt({ rounds: 15 });
    const report = model.fit(train, { validation: test });
    expect(report.iterations).toBe(15);
    expect(report.stoppedEarly).toBe(false);
    const losses = report.validationLoss as readonly number[];
    expect(losses).toHaveLength(15);
    expect(losses[14]).toBeLessThan(losses[0] as number);
  });

  it('fits a simple function with the squared-error objective, in both growth modes', () => {
    const next = uniform(3);
    const rows = 3000;
    const x = Float64Array.from({ length: rows }, () => next() * 6 - 3);
    const z = Float64Array.from({ length: rows }, () => next());
    const label = Float64Array.from(x, (v, i) => Math.sin(v) + 2 * (z[i] as number));
    const data = dataset({ featureNames: ['x', 'z'], columns: [x, z], label });
    for (const growth of ['depthwise', 'leafwise'] as const) {
      const model = gbdt({ objective: 'squared-error', rounds: 200, learningRate: 0.2, growth, maxLeaves: 16 });
      model.fit(data);
      expect(model.task).toBe('regression');
      const grid = [-2.5, -1, 0, 1, 2.5];
      for (const v of grid) expect(model.predictOne({ x: v, z: 0.5 })).toBeCloseTo(Math.sin(v) + 1, 1);
      expect(() => model.predictProbaOne({ x: 0 })).toThrow(/needs objective 'logloss'/);
    }
  });

  it('grows leaf-wise up to maxLeaves leaves per tree', () => {
    const model = gbdt({ rounds: 3, growth: 'leafwise', maxLeaves: 7, maxDepth: 10, minChildWeight: 0 });
    model.fit(train);
    const state = model.toArtifact();
    const loaded = gbdtFromArtifact(state);
    expect(loaded.featureNames).toEqual(['a', 'b', 'c', 'd']);
    // 7 leaves = 13 nodes per tree.
    const nodes = Buffer.from((state.state as { trees: { feature: string } }).trees.feature.slice(4), 'base64').length / 4;
    expect(nodes).toBe(3 * 13);
  });

  it('reports total gain per feature name, the informative features first', () => {
    const report = gbdt({ rounds: 30 }).fit(train);
    const importance = report.featureImportance;
    expect(Object.keys(importance)).toEqual(['a', 'b', 'c', 'd']);
    expect(importance['a']).toBeGreaterThan(importance['c'] as number);
    expect(importance['b']).toBeGreaterThan(importance['c'] as number);
  });

  it('rejects a damaged artifact with TANDEM_INVALID_ARTIFACT', () => {
    const model = gbdt({ rounds: 2 });
    model.fit(takeRows(train, Array.from({ length: 500 }, (_, i) => i)));
    const good = model.toArtifact();
    expect(() => gbdtFromArtifact({ ...good, kind: 'kmeans' })).toThrow(/not a gbdt model/);
    const state = good.state as { trees: Record<string, string>; baseScore: string };
    const broken = { ...good, state: { ...state, trees: { ...state.trees, left: 'i32:' } } };
    expect(() => gbdtFromArtifact(broken)).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT' }));
    expect(new Gbdt().kind).toBe('gbdt');
  });
});

checkBatchModel('gbdt', (seed) => gbdt({ rounds: 10, seed, subsample: 0.9 }), binarySet(800, 3), { fromArtifact: gbdtFromArtifact });
