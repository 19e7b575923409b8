import { describe, expect, it } from 'vitest';
import { dataset, takeRows } from '../../../src/models/dataset.js';
import { linearRegression, linearRegressionFromArtifact } from '../../../src/models/linear/index.js';
import { checkBatchModel } from '../check-model.js';
import { runBatchModelExtras } from './batch-model.contract.js';
import { fixture, fixtureData, relativeDifference } from './fixture.js';

const data = fixtureData('realLabel');
const indices = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('LinearRegression', () => {
  it("finds scikit-learn LinearRegression's coefficients and intercept within 1e-8 relative", () => {
    const model = linearRegression();
    model.fit(data);
    fixture.featureNames.forEach((feature, j) => {
      expect(relativeDifference(model.coefficients[feature] as number, fixture.ols.coef[j] as number)).toBeLessThan(1e-8);
    });
    expect(relativeDifference(model.intercept, fixture.ols.intercept)).toBeLessThan(1e-8);
  });

  for (const reference of fixture.ridge) {
    it(`finds scikit-learn Ridge's coefficients with alpha=${reference.alpha} within 1e-8 relative`, () => {
      const model = linearRegression({ alpha: reference.alpha });
      model.fit(data);
      fixture.featureNames.forEach((feature, j) => {
        expect(relativeDifference(model.coefficients[feature] as number, reference.coef[j] as number)).toBeLessThan(1e-8);
      });
      expect(relativeDifference(model.intercept, reference.intercept)).toBeLessThan(1e-8);
    });
  }

  it('treats l2 as alpha / rows, and gives the same answer without internal standardization', () => {
    const byAlpha = linearRegression({ alpha: 500 });
    byAlpha.fit(data);
    for (const model of [linearRegression({ l2: 500 / data.rows }), linearRegression({ alpha: 500, standardize: false })]) {
      model.fit(data);
      for (const feature of fixture.featureNames) {
        expect(relativeDifference(model.coefficients[feature] as number, byAlpha.coefficients[feature] as number)).toBeLessThan(1e-8);
      }
    }
  });

  it('gives a constant feature a zero coefficient instead of failing', () => {
    const model = linearRegression();
    model.fit(
      dataset({
        featureNames: ['x', 'constant'],
        columns: [Float64Array.of(1, 2, 3, 4), Float64Array.of(7, 7, 7, 7)],
        label: Float64Array.of(3, 5, 7, 9),
      }),
    );
    expect(model.coefficients).toEqual({ x: expect.closeTo(2, 12), constant: 0 });
    expect(model.intercept).toBeCloseTo(1, 12);
  });

  it('says which feature is collinear when least squares has no unique answer', () => {
    const collinear = dataset({
      featureNames: ['a', 'b'],
      columns: [Float64Array.of(1, 2, 3, 4), Float64Array.of(2, 4, 6, 8)],
      label: Float64Array.of(1, 2, 3, 5),
    });
    expect(() => linearRegression().fit(collinear)).toThrow("linearRegression: feature 'b' is a linear combination of the others; drop it or set l2 > 0");
    expect(() => linearRegression({ l2: 0.1 }).fit(collinear)).not.toThrow();
  });

  it('rejects bad parameters, naming the parameter and the value', () => {
    expect(() => linearRegression({ alpha: -2 })).toThrow("linearRegression: parameter 'alpha' must be ≥ 0, got -2");
    expect(() => linearRegression({ fitIntercept: 'yes' } as never)).toThrow("parameter 'fitIntercept' must be true or false, got 'yes'");
    expect(() => linearRegression({ l2: 1, alpha: 1 })).toThrow("gives both 'l2' and 'alpha'; give one");
  });

  it('refuses a training set without a label', () => {
    const unlabeled = dataset({ featureNames: data.featureNames, columns: data.columns });
    expect(() => linearRegression().fit(unlabeled)).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_DATASET' }));
  });

  runBatchModelExtras({
    make: () => linearRegression({ alpha: 1 }),
    load: linearRegressionFromArtifact,
    train: takeRows(data, indices(0, 1500)),
    test: takeRows(data, indices(1500, 2000)),
  });
});

checkBatchModel('LinearRegression', () => linearRegression({ alpha: 1 }), takeRows(data, indices(0, 600)), {
  fromArtifact: linearRegressionFromArtifact,
});
