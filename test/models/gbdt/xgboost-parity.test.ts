import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataset, type Dataset } from '../../../src/models/dataset.js';
import { rocAuc } from '../../../src/models/metrics/roc-auc.js';
import { gbdt } from '../../../src/models/gbdt/index.js';

/** Written by test/models/fixtures/gbdt/make_xgboost_fixture.py (xgboost 1.7, tree_method hist). */
interface Fixture {
  readonly params: { rounds: number; maxDepth: number; learningRate: number; lambda: number; minChildWeight: number };
  readonly featureNames: string[];
  readonly train: { columns: (number | null)[][]; label: number[] };
  readonly test: { columns: (number | null)[][]; label: number[] };
  readonly xgboostTestProba: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/gbdt/xgboost-hist.json', import.meta.url), 'utf8'),
) as Fixture;

const toDataset = (part: Fixture['train']): Dataset =>
  dataset({
    featureNames: fixture.featureNames,
    columns: part.columns.map((column) => Float64Array.from(column, (v) => v ?? Number.NaN)),
    label: Float64Array.from(part.label),
  });

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('gbdt against xgboost', () => {
  it('matches xgboost hist on the same data and parameters: AUC within 0.005, probabilities correlated > 0.97', () => {
    const train = toDataset(fixture.train);
    const test = toDataset(fixture.test);
    const model = gbdt({ objective: 'logloss', ...fixture.params });
    model.fit(train);
    const ours = model.predictProba(test);
    const labels = test.label as Float64Array;
    const theirs = Float64Array.from(fixture.xgboostTestProba);
    const ourAuc = rocAuc(ours, labels);
    const theirAuc = rocAuc(theirs, labels);
    expect(theirAuc).toBeGreaterThan(0.75);
    expect(Math.abs(ourAuc - theirAuc)).toBeLessThan(0.005);
    expect(pearson(ours, theirs)).toBeGreaterThan(0.97);
  });
});
