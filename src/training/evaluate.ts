import type { Task } from '../models/model.js';
import { binaryReport } from '../models/metrics/binary-report.js';
import { logLoss } from '../models/metrics/log-loss.js';
import { prAuc } from '../models/metrics/pr-auc.js';
import { rocAuc } from '../models/metrics/roc-auc.js';
import { regressionReport } from '../models/metrics/regression-report.js';

/** Flat holdout metrics, as printed by `tandem train` and stored with each version. */
export type Evaluation = { readonly [metric: string]: number | null };

/**
 * Holdout metrics for a task, with the no-skill baseline (always answering the training label
 * mean) beside the model's, so a report shows whether the model learnt anything.
 */
export function evaluate(task: Task, scores: Float64Array, labels: Float64Array, trainLabels: Float64Array): Evaluation {
  const prior = mean(trainLabels);
  if (task === 'binary') {
    const report = binaryReport(scores, labels);
    return finite({
      rows: report.examples,
      positives: report.positives,
      rocAuc: report.rocAuc,
      prAuc: report.prAuc,
      logLoss: report.logLoss,
      baselineLogLoss: logLoss(new Float64Array(labels.length).fill(prior), labels),
      brierScore: report.brierScore,
      expectedCalibrationError: report.expectedCalibrationError,
      accuracy: report.accuracy,
      precision: report.precision,
      recall: report.recall,
      f1: report.f1,
    });
  }
  if (task === 'regression') {
    const report = regressionReport(scores, labels);
    let baseline = 0;
    for (const y of labels) baseline += (prior - y) ** 2;
    return finite({
      rows: report.examples,
      mae: report.mae,
      rmse: report.rmse,
      baselineRmse: Math.sqrt(baseline / labels.length),
      mape: report.mape,
      r2: report.r2,
    });
  }
  if (task === 'anomaly' && labels.every((y) => y === 0 || y === 1) && labels.includes(1) && labels.includes(0)) {
    // With a 0/1 label, how well the anomaly score ranks the positives first.
    return finite({ rows: labels.length, positives: labels.reduce((n, y) => n + y, 0), rocAuc: rocAuc(scores, labels), prAuc: prAuc(scores, labels) });
  }
  return { rows: labels.length };
}

/** Metrics of an online model's test-then-train scores over the training period. */
export function prequentialMetrics(task: Task, scores: Float64Array, labels: Float64Array): Evaluation {
  if (task === 'binary') {
    const report = binaryReport(scores, labels);
    return finite({ prequentialRocAuc: report.rocAuc, prequentialLogLoss: report.logLoss });
  }
  if (task === 'regression') {
    const report = regressionReport(scores, labels);
    return finite({ prequentialMae: report.mae, prequentialRmse: report.rmse });
  }
  return {};
}

function mean(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return values.length === 0 ? Number.NaN : total / values.length;
}

/** NaN (a metric undefined on this data, e.g. AUC with one class) becomes null. */
function finite(metrics: Record<string, number>): Evaluation {
  return Object.fromEntries(Object.entries(metrics).map(([name, value]) => [name, Number.isFinite(value) ? value : null]));
}
