import { readFileSync } from 'node:fs';
import { dataset, type Dataset } from '../../../src/models/dataset.js';

interface LogisticFit {
  readonly C: number;
  readonly fitIntercept: boolean;
  readonly weighted: boolean;
  /** scikit-learn's solver='lbfgs' (stops at scipy's relative objective change 2.2e-9). */
  readonly lbfgs: { coef: number[]; intercept: number };
  /** solver='newton-cg', tol 1e-12: the optimum to ~1e-9. */
  readonly newtonCg: { coef: number[]; intercept: number };
}

/** test/models/fixtures/linear/sklearn.json, written by make_fixture.py beside it. */
export interface SklearnFixture {
  readonly featureNames: string[];
  readonly columns: (number | null)[][];
  readonly binaryLabel: number[];
  readonly realLabel: number[];
  readonly weight: number[];
  readonly imputationMeans: number[];
  readonly logistic: LogisticFit[];
  readonly ridge: { alpha: number; coef: number[]; intercept: number }[];
  readonly ols: { coef: number[]; intercept: number };
}

export const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/linear/sklearn.json', import.meta.url), 'utf8'),
) as SklearnFixture;

export function fixtureData(label: 'binaryLabel' | 'realLabel', options: { weighted?: boolean } = {}): Dataset {
  return dataset({
    featureNames: fixture.featureNames,
    columns: fixture.columns.map((column) => Float64Array.from(column, (v) => v ?? Number.NaN)),
    label: Float64Array.from(fixture[label]),
    ...(options.weighted ? { weight: Float64Array.from(fixture.weight) } : {}),
  });
}

/** |a − b| / max(|b|, floor): relative difference, with an absolute floor near zero. */
export function relativeDifference(a: number, b: number, floor = 1e-3): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}
