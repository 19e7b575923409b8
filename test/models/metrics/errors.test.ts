import { describe, it } from 'vitest';
import {
  accuracy, binaryReport, brierScore, confusionCounts, expectedCalibrationError, f1, logLoss, mae, mape,
  prAuc, prCurve, precision, r2, recall, regressionReport, reliabilityBins, rmse, rocAuc, rocCurve,
} from '../../../src/models/metrics/index.js';
import { expectTandemError } from './assertions.js';

type Metric = (predictions: ArrayLike<number>, labels: ArrayLike<number>) => unknown;

const classification: [string, Metric][] = [
  ['rocAuc', rocAuc], ['rocCurve', rocCurve], ['prAuc', prAuc], ['prCurve', prCurve], ['logLoss', logLoss],
  ['brierScore', brierScore], ['confusionCounts', confusionCounts], ['accuracy', accuracy],
  ['precision', precision], ['recall', recall], ['f1', f1], ['reliabilityBins', reliabilityBins],
  ['expectedCalibrationError', expectedCalibrationError], ['binaryReport', binaryReport],
];
const regression: [string, Metric][] = [['mae', mae], ['rmse', rmse], ['mape', mape], ['r2', r2], ['regressionReport', regressionReport]];

// accuracy, precision, recall and f1 report through confusionCounts, which names itself.
const reportedName = (name: string): string => (['accuracy', 'precision', 'recall', 'f1'].includes(name) ? 'confusionCounts' : name);

describe.each([...classification, ...regression])('%s', (name, metric) => {
  const shown = reportedName(name);

  it('names itself and both lengths when predictions and labels differ in length', () => {
    expectTandemError(() => metric([0.1, 0.2], [1]), 'TANDEM_INVALID_DATASET', new RegExp(`^${shown}: 2 predictions but 1 labels`));
  });

  it('names the NaN prediction', () => {
    expectTandemError(() => metric([0.1, Number.NaN], [1, 0]), 'TANDEM_INVALID_DATASET', new RegExp(`^${shown}: prediction 1 is NaN`));
  });
});

describe.each(classification)('%s', (name, metric) => {
  it('refuses labels other than 0 and 1, naming the first', () => {
    const shown = reportedName(name);
    for (const bad of [2, -1, Number.NaN, 0.5]) {
      expectTandemError(
        () => metric([0.1, 0.2, 0.3], [0, 1, bad]),
        'TANDEM_INVALID_DATASET',
        new RegExp(`^${shown}: label 2 is ${bad}; binary labels must be 0 or 1`),
      );
    }
  });
});

describe.each([
  ['brierScore', brierScore],
  ['reliabilityBins', reliabilityBins],
  ['expectedCalibrationError', expectedCalibrationError],
  ['binaryReport', binaryReport],
] as [string, Metric][])('%s', (name, metric) => {
  it('refuses probabilities outside [0, 1]', () => {
    expectTandemError(() => metric([0.1, 1.5], [0, 1]), 'TANDEM_INVALID_DATASET', new RegExp(`^${name}: prediction 1 is 1.5; probabilities must lie in \\[0, 1\\]`));
  });
});

describe.each(regression)('%s', (name, metric) => {
  it('refuses targets that are not finite', () => {
    expectTandemError(() => metric([1, 2], [1, Number.POSITIVE_INFINITY]), 'TANDEM_INVALID_DATASET', new RegExp(`^${name}: target 1 is Infinity`));
  });
});

describe('options', () => {
  it('refuse a bin count that is not a positive integer', () => {
    expectTandemError(() => reliabilityBins([0.1], [0], { bins: 0 }), 'TANDEM_INVALID_PARAMETER', /reliabilityBins: bins 0 must be a positive integer/);
    expectTandemError(() => expectedCalibrationError([0.1], [0], { bins: 2.5 }), 'TANDEM_INVALID_PARAMETER', /bins 2.5/);
  });

  it('refuse a threshold that is not a number', () => {
    expectTandemError(() => accuracy([0.1], [0], { threshold: Number.NaN }), 'TANDEM_INVALID_PARAMETER', /confusionCounts: threshold NaN is not a number/);
  });

  it('refuse a report with fewer than two curve points', () => {
    expectTandemError(() => binaryReport([0.1], [0], { curvePoints: 1 }), 'TANDEM_INVALID_PARAMETER', /curvePoints 1 must be an integer of at least 2/);
  });
});
