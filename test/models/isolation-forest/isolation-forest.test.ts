import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataset, takeRows } from '../../../src/models/dataset.js';
import { isolationForest, isolationForestFromArtifact } from '../../../src/models/isolation-forest/index.js';
import { averagePathLength } from '../../../src/models/isolation-forest/isolation-tree.js';
import { rocAuc, sortedOrder } from '../../../src/models/metrics/roc-auc.js';
import { checkBatchModel } from '../check-model.js';
import { runBatchModelExtras } from '../linear/batch-model.contract.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/isolation-forest/sklearn.json', import.meta.url), 'utf8')) as {
  columns: number[][];
  outlier: number[];
  sklearnScore: number[];
};
const data = dataset({
  featureNames: fixture.columns.map((_, j) => `x${j}`),
  columns: fixture.columns.map((column) => Float64Array.from(column)),
});
const outlier = Float64Array.from(fixture.outlier);

/** Spearman's rank correlation (no ties expected in continuous scores). */
function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ranks = (values: ArrayLike<number>): Float64Array => {
    const r = new Float64Array(values.length);
    sortedOrder(values).forEach((index, rank) => (r[index] = rank));
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += ((ra[i] as number) - (rb[i] as number)) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe('IsolationForest', () => {
  it('scores planted outliers above inliers (AUC > 0.95)', () => {
    const model = isolationForest({ seed: 1 });
    model.fit(data);
    expect(rocAuc(model.predict(data), outlier)).toBeGreaterThan(0.95);
  });

  it("ranks rows like scikit-learn's IsolationForest (Spearman > 0.9)", () => {
    const model = isolationForest();
    model.fit(data);
    expect(spearman(model.predict(data), fixture.sklearnScore)).toBeGreaterThan(0.9);
  });

  it('gives scores in (0, 1], far points near 1 and central points below 0.5', () => {
    const model = isolationForest();
    model.fit(data);
    const scores = model.predict(data);
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    expect(model.predictOne({ x0: 100, x1: -100, x2: 50, x3: 70 })).toBeGreaterThan(0.7);
    expect(model.predictOne({ x0: 6, x1: 6, x2: 0, x3: 0 })).toBeLessThan(0.5);
  });

  it('uses the c(n) adjustment of Liu et al.: c(2) = 1, c(256) ≈ 10.24', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 4);
  });

  it('changes with the seed and is reproducible for one seed', () => {
    const scoresFor = (seed: number): Float64Array => {
      const model = isolationForest({ seed, nTrees: 20 });
      model.fit(data);
      return model.predict(data);
    };
    expect(Array.from(scoresFor(5))).toEqual(Array.from(scoresFor(5)));
    expect(Array.from(scoresFor(5))).not.toEqual(Array.from(scoresFor(6)));
  });

  it('rejects bad parameters and damaged artifacts, naming what is wrong', () => {
    expect(() => isolationForest({ nTrees: 0 })).toThrow("isolationForest: parameter 'nTrees' must be ≥ 1, got 0");
    expect(() => isolationForest({ sampleSize: 1 })).toThrow("parameter 'sampleSize' must be ≥ 2, got 1");
    expect(() => isolationForest({ seed: -1 })).toThrow("parameter 'seed' must be ≥ 0, got -1");
    const model = isolationForest({ nTrees: 3 });
    model.fit(data);
    const good = model.toArtifact();
    const state = good.state as Record<string, string>;
    expect(() => isolationForestFromArtifact({ ...good, state: { ...state, roots: 'i32://///w==' } })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT' }),
    );
  });

  const rows = Array.from({ length: data.rows }, (_, i) => i);
  runBatchModelExtras({
    make: () => isolationForest({ nTrees: 50, seed: 9 }),
    load: isolationForestFromArtifact,
    train: takeRows(data, rows.slice(0, 1000)),
    test: takeRows(data, rows.slice(1000)),
  });
});

checkBatchModel(
  'IsolationForest',
  (seed) => isolationForest({ nTrees: 30, seed }),
  takeRows(data, Array.from({ length: 600 }, (_, i) => i)),
  { fromArtifact: isolationForestFromArtifact },
);
