import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracy, binaryReport, brierScore, confusionCounts, expectedCalibrationError, f1, logLoss, mae, mape,
  prAuc, prCurve, precision, r2, recall, regressionReport, reliabilityBins, rmse, rocAuc, rocCurve,
} from '../../../src/models/metrics/index.js';
import { expectAllClose, expectClose } from './assertions.js';

// Made by test/models/fixtures/metrics/make-sklearn-metrics.py; null where scikit-learn has no value.
interface BinaryCase {
  readonly name: string;
  readonly probabilities: number[];
  readonly labels: number[];
  readonly rocAuc: number | null;
  readonly prAuc: number | null;
  readonly logLoss: number;
  readonly brierScore: number;
  readonly rocCurve?: { fpr: number[]; tpr: number[]; thresholds: number[] };
  readonly prCurve?: { precision: number[]; recall: number[]; thresholds: number[] };
  readonly atThreshold: {
    threshold: number;
    confusion: { truePositives: number; falsePositives: number; trueNegatives: number; falseNegatives: number };
    accuracy: number;
    precision: number;
    recall: number;
    f1: number;
  }[];
  readonly calibration?: { bins: number; observedRate: number[]; meanPredicted: number[] };
}

interface RegressionCase {
  readonly name: string;
  readonly predictions: number[];
  readonly targets: number[];
  readonly mae: number;
  readonly rmse: number;
  readonly mape: number;
  readonly r2: number;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/metrics/sklearn-metrics.json', import.meta.url), 'utf8'),
) as { binary: BinaryCase[]; regression: RegressionCase[] };

describe.each(fixture.binary)('binary metrics on $name', (c) => {
  const p = Float64Array.from(c.probabilities);
  const y = Float64Array.from(c.labels);

  it('match scikit-learn for roc_auc_score and average_precision_score', () => {
    expectClose(rocAuc(p, y), c.rocAuc ?? Number.NaN);
    expectClose(prAuc(p, y), c.prAuc ?? Number.NaN);
  });

  it('match scikit-learn for log_loss and brier_score_loss', () => {
    expectClose(logLoss(p, y), c.logLoss);
    expectClose(brierScore(p, y), c.brierScore);
  });

  it('match scikit-learn for the confusion matrix, accuracy, precision, recall and F1 at each threshold', () => {
    for (const expected of c.atThreshold) {
      const options = { threshold: expected.threshold };
      expect(confusionCounts(p, y, options)).toEqual(expected.confusion);
      expectClose(accuracy(p, y, options), expected.accuracy);
      expectClose(precision(p, y, options), expected.precision);
      expectClose(recall(p, y, options), expected.recall);
      expectClose(f1(p, y, options), expected.f1);
    }
  });

  it('are all in binaryReport with the same values', () => {
    const threshold = c.atThreshold[0]?.threshold ?? 0.5;
    const report = binaryReport(p, y, { threshold });
    expectClose(report.rocAuc, c.rocAuc ?? Number.NaN);
    expectClose(report.prAuc, c.prAuc ?? Number.NaN);
    expectClose(report.logLoss, c.logLoss);
    expectClose(report.brierScore, c.brierScore);
    expect(report.confusion).toEqual(c.atThreshold[0]?.confusion);
    expectClose(report.f1, c.atThreshold[0]?.f1 ?? Number.NaN);
  });
});

const withCurves = fixture.binary.filter((c) => c.rocCurve !== undefined && c.prCurve !== undefined);

describe.each(withCurves)('curves on $name', (c) => {
  const p = Float64Array.from(c.probabilities);
  const y = Float64Array.from(c.labels);

  it('give the points of scikit-learn roc_curve(drop_intermediate=False)', () => {
    const expected = c.rocCurve as NonNullable<BinaryCase['rocCurve']>;
    const curve = rocCurve(p, y);
    expectAllClose(curve.falsePositiveRate, expected.fpr);
    expectAllClose(curve.truePositiveRate, expected.tpr);
    expect(curve.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
    expectAllClose(curve.thresholds.subarray(1), expected.thresholds);
  });

  it('give the points of scikit-learn precision_recall_curve, highest threshold first', () => {
    const expected = c.prCurve as NonNullable<BinaryCase['prCurve']>;
    const curve = prCurve(p, y);
    expectAllClose(curve.precision, [...expected.precision].reverse());
    expectAllClose(curve.recall, [...expected.recall].reverse());
    expectAllClose(curve.thresholds.subarray(1), [...expected.thresholds].reverse());
  });
});

const withCalibration = fixture.binary.filter((c) => c.calibration !== undefined);

describe.each(withCalibration)('calibration on $name', (c) => {
  const p = Float64Array.from(c.probabilities);
  const y = Float64Array.from(c.labels);
  const expected = c.calibration as NonNullable<BinaryCase['calibration']>;

  it('gives the non-empty bins of scikit-learn calibration_curve(strategy=uniform)', () => {
    const bins = reliabilityBins(p, y, { bins: expected.bins }).filter((bin) => bin.count > 0);
    expectAllClose(bins.map((bin) => bin.observedRate), expected.observedRate);
    expectAllClose(bins.map((bin) => bin.meanPredicted), expected.meanPredicted);
  });

  it('gives the expected calibration error of those bins, weighted by their counts', () => {
    const bins = reliabilityBins(p, y, { bins: expected.bins }).filter((bin) => bin.count > 0);
    const ece = bins.reduce(
      (sum, bin, k) =>
        sum + (bin.count / p.length) * Math.abs((expected.meanPredicted[k] as number) - (expected.observedRate[k] as number)),
      0,
    );
    expectClose(expectedCalibrationError(p, y, { bins: expected.bins }), ece);
  });
});

describe.each(fixture.regression)('regression metrics on $name', (c) => {
  const yhat = Float64Array.from(c.predictions);
  const y = Float64Array.from(c.targets);

  it('match scikit-learn for MAE, RMSE, MAPE and R²', () => {
    expectClose(mae(yhat, y), c.mae);
    expectClose(rmse(yhat, y), c.rmse);
    expectClose(mape(yhat, y), c.mape);
    expectClose(r2(yhat, y), c.r2);
  });

  it('are all in regressionReport with the same values', () => {
    const report = regressionReport(yhat, y);
    expect(report.examples).toBe(c.targets.length);
    expectClose(report.mae, c.mae);
    expectClose(report.rmse, c.rmse);
    expectClose(report.mape, c.mape);
    expectClose(report.r2, c.r2);
  });
});
