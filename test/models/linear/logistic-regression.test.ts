import { describe, expect, it } from 'vitest';
import { takeRows } from '../../../src/models/dataset.js';
import { logisticRegression, logisticRegressionFromArtifact } from '../../../src/models/linear/index.js';
import { rocAuc } from '../../../src/models/metrics/roc-auc.js';
import { checkBatchModel } from '../check-model.js';
import { runBatchModelExtras } from './batch-model.contract.js';
import { fixture, fixtureData, relativeDifference } from './fixture.js';

const data = fixtureData('binaryLabel');
const indices = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('LogisticRegression', () => {
  for (const reference of fixture.logistic) {
    const name = `C=${reference.C}${reference.fitIntercept ? '' : ', no intercept'}${reference.weighted ? ', row weights' : ''}`;
    it(`finds scikit-learn's coefficients and intercept (${name})`, () => {
      const model = logisticRegression({ C: reference.C, fitIntercept: reference.fitIntercept });
      const report = model.fit(fixtureData('binaryLabel', { weighted: reference.weighted }));
      expect(report.stoppedBy).not.toBe('max-iterations');
      // newton-cg at tol 1e-12 is the optimum; sklearn's lbfgs stops up to ~1.3e-4 short of it.
      for (const [fit, tolerance] of [[reference.newtonCg, 1e-6], [reference.lbfgs, 2e-4]] as const) {
        fixture.featureNames.forEach((feature, j) => {
          expect(relativeDifference(model.coefficients[feature] as number, fit.coef[j] as number)).toBeLessThan(tolerance);
        });
        expect(relativeDifference(model.intercept, fit.intercept)).toBeLessThan(tolerance);
      }
    });
  }

  it('finds the same coefficients without internal standardization', () => {
    const reference = fixture.logistic[0]!;
    const model = logisticRegression({ C: reference.C, standardize: false, maxIterations: 20_000 });
    model.fit(data);
    fixture.featureNames.forEach((feature, j) => {
      expect(relativeDifference(model.coefficients[feature] as number, reference.newtonCg.coef[j] as number)).toBeLessThan(1e-6);
    });
  });

  it('treats l2 as C = 1 / (l2 · rows)', () => {
    const byC = logisticRegression({ C: 0.01 });
    byC.fit(data);
    const byL2 = logisticRegression({ l2: 1 / (0.01 * data.rows) });
    byL2.fit(data);
    for (const feature of fixture.featureNames) {
      expect(relativeDifference(byL2.coefficients[feature] as number, byC.coefficients[feature] as number)).toBeLessThan(1e-7);
    }
  });

  it('imputes a missing value with the training mean of the feature', () => {
    const model = logisticRegression({ C: 1 });
    model.fit(data);
    const row = { f0: 0.3, f2: 120, f3: -1, f4: 0.2 };
    const withMean = { ...row, f1: fixture.imputationMeans[1] as number };
    expect(model.predictProbaOne(row)).toBe(model.predictProbaOne(withMean));
    expect(model.toArtifact().state).toMatchObject({ means: expect.stringMatching(/^f64:/) });
  });

  it('ranks held-out rows well above chance', () => {
    const model = logisticRegression();
    model.fit(takeRows(data, indices(0, 1500)));
    const test = takeRows(data, indices(1500, 2000));
    expect(rocAuc(model.predictProba(test), test.label as Float64Array)).toBeGreaterThan(0.75);
  });

  it('rejects bad parameters, naming the parameter and the value', () => {
    expect(() => logisticRegression({ l2: -1 })).toThrow("logisticRegression: parameter 'l2' must be ≥ 0, got -1");
    expect(() => logisticRegression({ C: 0 })).toThrow("parameter 'C' must be > 0, got 0");
    expect(() => logisticRegression({ maxIterations: 2.5 })).toThrow("parameter 'maxIterations' must be a whole number, got 2.5");
    expect(() => logisticRegression({ l2: 1, C: 1 })).toThrow("gives both 'l2' and 'C'; give one");
    expect(() => logisticRegression({ lr: 1 } as never)).toThrow("unknown parameter 'lr'");
    expect(() => logisticRegression({ C: 'big' } as never)).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_PARAMETER' }));
  });

  it('refuses labels that are not 0 or 1, and a single class', () => {
    const bad = fixtureData('realLabel');
    expect(() => logisticRegression().fit(bad)).toThrow(/binary labels must be 0 or 1/);
    const ones = takeRows(data, data.label!.reduce<number[]>((at, y, i) => (y === 1 ? [...at, i] : at), []));
    expect(() => logisticRegression().fit(ones)).toThrow(/needs both classes/);
  });

  it('refuses an artifact of another kind', () => {
    const model = logisticRegression();
    model.fit(data);
    expect(() => logisticRegressionFromArtifact({ ...model.toArtifact(), kind: 'kmeans' })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT' }),
    );
  });

  runBatchModelExtras({
    make: () => logisticRegression({ C: 0.5 }),
    load: logisticRegressionFromArtifact,
    train: takeRows(data, indices(0, 1500)),
    test: takeRows(data, indices(1500, 2000)),
  });
});

checkBatchModel('LogisticRegression', () => logisticRegression({ C: 0.5 }), takeRows(data, indices(0, 600)), {
  fromArtifact: logisticRegressionFromArtifact,
});
