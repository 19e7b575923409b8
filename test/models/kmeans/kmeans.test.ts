import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataset, takeRows, type Dataset } from '../../../src/models/dataset.js';
import { kMeans, kMeansFromArtifact } from '../../../src/models/kmeans/index.js';
import { checkBatchModel } from '../check-model.js';
import { runBatchModelExtras } from '../linear/batch-model.contract.js';

interface Case {
  readonly name: string;
  readonly k: number;
  readonly columns: number[][];
  readonly planted: number[];
  readonly sklearnInertia: number;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/kmeans/sklearn.json', import.meta.url), 'utf8')) as { cases: Case[] };
const toData = (c: Case): Dataset =>
  dataset({ featureNames: c.columns.map((_, j) => `x${j}`), columns: c.columns.map((column) => Float64Array.from(column)) });
const [separated, overlapping] = fixture.cases as [Case, Case];

describe('KMeans', () => {
  it('recovers well-separated planted clusters exactly', () => {
    const model = kMeans({ k: separated.k, seed: 1 });
    model.fit(toData(separated));
    const labels = model.predict(toData(separated));
    // Every planted cluster maps to one found cluster, and no two planted clusters share one.
    const found = new Map<number, Set<number>>();
    separated.planted.forEach((truth, i) => found.set(truth, (found.get(truth) ?? new Set()).add(labels[i] as number)));
    expect([...found.values()].every((set) => set.size === 1)).toBe(true);
    expect(new Set([...found.values()].map((set) => [...set][0])).size).toBe(separated.k);
  });

  for (const c of fixture.cases) {
    it(`reaches an inertia no worse than scikit-learn's on the ${c.name} fixture`, () => {
      const model = kMeans({ k: c.k, nInit: 10, seed: 0 });
      const report = model.fit(toData(c));
      expect(report.inertia).toBeLessThanOrEqual(c.sklearnInertia * (1 + 1e-9));
      expect(model.inertia).toBe(report.inertia);
    });
  }

  it('reports inertia as the sum of squared distances to the assigned centroids', () => {
    const data = toData(overlapping);
    const model = kMeans({ k: 8 });
    const { inertia } = model.fit(data);
    const labels = model.predict(data);
    const centroids = model.centroids;
    let total = 0;
    for (let i = 0; i < data.rows; i++) {
      const centroid = centroids[labels[i] as number] as Float64Array;
      data.columns.forEach((column, j) => (total += ((column[i] as number) - (centroid[j] as number)) ** 2));
    }
    expect(inertia).toBeCloseTo(total, 6);
  });

  it('depends on the seed only through the seeding, and is reproducible for one seed', () => {
    const data = toData(overlapping);
    const a = kMeans({ k: 8, nInit: 1, seed: 3 });
    const b = kMeans({ k: 8, nInit: 1, seed: 3 });
    expect(a.fit(data).inertia).toBe(b.fit(data).inertia);
    expect(a.centroids).toEqual(b.centroids);
  });

  it('imputes a missing value with the training mean', () => {
    const data = toData(separated);
    const model = kMeans({ k: separated.k });
    model.fit(data);
    const mean = (j: number): number => (data.columns[j] as Float64Array).reduce((s, v) => s + v, 0) / data.rows;
    expect(model.predictOne({ x0: 1, x2: -4 })).toBe(model.predictOne({ x0: 1, x1: mean(1), x2: -4 }));
  });

  it('rejects bad parameters and too few rows, naming what is wrong', () => {
    expect(() => kMeans({ k: 0 })).toThrow("kMeans: parameter 'k' must be ≥ 1, got 0");
    expect(() => kMeans({} as never)).toThrow("kMeans: parameter 'k' must be a number, got undefined");
    expect(() => kMeans({ k: 2, tolerance: -1 })).toThrow("parameter 'tolerance' must be > 0, got -1");
    const tiny = dataset({ featureNames: ['a'], columns: [Float64Array.of(1, 2)] });
    expect(() => kMeans({ k: 3 }).fit(tiny)).toThrow('kMeans: needs at least 3 training rows, got 2');
  });

  it('finds k clusters even when some rows are duplicates', () => {
    const data = dataset({ featureNames: ['a'], columns: [Float64Array.of(0, 0, 0, 0, 5, 5, 9)] });
    const model = kMeans({ k: 3 });
    expect(model.fit(data).inertia).toBe(0);
    expect(new Set(model.predict(data)).size).toBe(3);
  });

  const rows = Array.from({ length: overlapping.planted.length }, (_, i) => i);
  runBatchModelExtras({
    make: () => kMeans({ k: 8, nInit: 3, seed: 11 }),
    load: kMeansFromArtifact,
    train: takeRows(toData(overlapping), rows.slice(0, 900)),
    test: takeRows(toData(overlapping), rows.slice(900)),
  });
});

checkBatchModel(
  'KMeans',
  (seed) => kMeans({ k: 8, nInit: 2, seed }),
  takeRows(toData(overlapping), Array.from({ length: 600 }, (_, i) => i)),
  { fromArtifact: kMeansFromArtifact },
);
