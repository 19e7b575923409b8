import type { Task } from '../models/model.js';
import { logLoss } from '../models/metrics/log-loss.js';
import { rocAuc } from '../models/metrics/roc-auc.js';

export type Evaluation = { readonly [metric: string]: number | null };

/**
 * Holdout metrics for a task, with the no-skill baseline (the training label mean) beside the
 * model's, so a report shows whether the model learnt anything.
 */
export function evaluate(task: Task, scores: Float64Array, labels: Float64Array, trainLabels: Float64Array): Evaluation {
  const prior = mean(trainLabels);
  if (task === 'binary') {
    const baseline = new Float64Array(labels.length).fill(prior);
    return {
      rows: labels.length,
      positiveRate: mean(labels),
      rocAuc: finite(rocAuc(scores, labels)),
      logLoss: finite(logLoss(scores, labels)),
      baselineLogLoss: finite(logLoss(baseline, labels)),
    };
  }
  if (task === 'regression') {
    let abs = 0;
    let sq = 0;
    let baseSq = 0;
    for (let i = 0; i < labels.length; i++) {
      const error = (scores[i] as number) - (labels[i] as number);
      abs += Math.abs(error);
      sq += error * error;
      baseSq += (prior - (labels[i] as number)) ** 2;
    }
    return { rows: labels.length, mae: abs / labels.length, rmse: Math.sqrt(sq / labels.length), baselineRmse: Math.sqrt(baseSq / labels.length) };
  }
  return { rows: labels.length };
}

function mean(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return values.length === 0 ? Number.NaN : total / values.length;
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
