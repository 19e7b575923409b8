import { TandemError } from '../../errors.js';
import type { OnlineModel, Row } from '../model.js';
import { accuracyOf, countAt, thresholdOf } from './confusion.js';
import { logLoss } from './log-loss.js';
import { PendingLabels } from './pending-labels.js';
import { mae, rmse } from './regression.js';
import { positiveInteger, show } from './options.js';
import { RollingBinaryMetrics, type RollingBinaryReport } from './rolling-binary-metrics.js';
import { RollingRegressionMetrics, type RollingRegressionReport } from './rolling-regression-metrics.js';
import { rocAucOf } from './roc-curve.js';
import { thresholdSweep } from './threshold-sweep.js';

/** One example of a time-ordered stream, with the time its label becomes known. */
export interface PrequentialExample {
  readonly x: Row;
  /** The label: 0/1 for binary models, a finite value for regression. */
  readonly y: number;
  /** When the example is scored (e.g. epoch ms); non-decreasing along the stream. */
  readonly t: number;
  /**
   * When the label arrives and the model may learn it; at least `t`. `Infinity` means after the
   * stream ends.
   * @default t (immediate: learned before the next prediction)
   */
  readonly labelAt?: number;
}

export interface PrequentialOptions {
  /**
   * Predictions between two points of the rolling series (a last point follows the last prediction).
   * @default 1000
   */
  readonly every?: number;
  /**
   * Most recent predictions each series point covers.
   * @default every (consecutive, non-overlapping blocks)
   */
  readonly window?: number;
  /**
   * Binary accuracy counts `probability >= threshold` as a positive prediction.
   * @default 0.5
   */
  readonly threshold?: number;
  /** Called with each series point as it is made, for progress output. */
  readonly onPoint?: (point: PrequentialPoint) => void;
}

export interface BinaryPrequentialMetrics {
  readonly rocAuc: number;
  readonly logLoss: number;
  readonly accuracy: number;
}

export interface RegressionPrequentialMetrics {
  readonly mae: number;
  readonly rmse: number;
}

/** Metrics over the `window` predictions up to and including prediction number `predictions`. */
export type PrequentialPoint = { readonly predictions: number; readonly t: number } & (
  | ({ readonly task: 'binary' } & RollingBinaryReport)
  | ({ readonly task: 'regression' } & RollingRegressionReport)
);

interface PrequentialCommon {
  /** Number of predictions (= examples). */
  readonly predictions: number;
  /** Labels whose arrival fell inside the stream; the rest were learned after it ended. */
  readonly learnedDuringStream: number;
  readonly learnedAfterStream: number;
  /** Each example's score, in stream order (P(y = 1) for binary models). */
  readonly scores: Float64Array;
  readonly labels: Float64Array;
  readonly series: PrequentialPoint[];
}

export type PrequentialReport =
  | (PrequentialCommon & { readonly task: 'binary'; readonly metrics: BinaryPrequentialMetrics })
  | (PrequentialCommon & { readonly task: 'regression'; readonly metrics: RegressionPrequentialMetrics });

/**
 * Progressive (prequential) validation with delayed labels (Dawid, 1984; Blum, Kalai & Langford,
 * COLT 1999), as River's `evaluate.progressive_val_score` with `delay` and `stream.simulate_qa`:
 * each example is scored before the model has learned it, and learned only once its label arrives.
 *
 * Walking the stream in time order, before scoring an example at time t the model learns every
 * pending label with `labelAt <= t`, in order of arrival time (ties in stream order). A label that
 * arrives at t is therefore known to predictions at t, except its own example's: that one is
 * always scored first. Labels still pending when the stream ends are then learned in the same
 * order, so the model ends having learned every example.
 *
 * Binary models are scored with `predictProbaOne` (rocAuc, logLoss, accuracy); regression models
 * with `predictOne` (mae, rmse). The series is indexed by prediction, with metrics over the
 * last `window` predictions; it is not what a live monitor knew at the time (labels arrive
 * later); for that, feed `RollingBinaryMetrics` at label arrival. Each pending example's `x` is
 * held until the model learns it: do not mutate rows after yielding them.
 */
export function prequential(
  model: OnlineModel,
  stream: Iterable<PrequentialExample>,
  options: PrequentialOptions = {},
): PrequentialReport {
  const every = positiveInteger('prequential', 'every', options.every ?? 1000);
  const window = positiveInteger('prequential', 'window', options.window ?? every);
  const threshold = thresholdOf('prequential', options);
  const { task, score } = scorerOf(model);
  const rolling =
    task === 'binary' ? new RollingBinaryMetrics({ window, threshold }) : new RollingRegressionMetrics({ window });
  const pending = new PendingLabels();
  const scores: number[] = [];
  const labels: number[] = [];
  const series: PrequentialPoint[] = [];
  let learnedDuringStream = 0;
  let previousT = Number.NEGATIVE_INFINITY;
  let sequence = 0;

  const addPoint = (t: number): void => {
    const point: PrequentialPoint =
      rolling instanceof RollingBinaryMetrics
        ? { task: 'binary', predictions: sequence, t, ...rolling.report() }
        : { task: 'regression', predictions: sequence, t, ...rolling.report() };
    series.push(point);
    options.onPoint?.(point);
  };

  for (const example of stream) {
    const { x, y, t } = example;
    const labelAt = example.labelAt ?? t;
    checkExample(task, sequence, y, t, labelAt, previousT);
    previousT = t;

    for (let next = pending.peek(); next !== undefined && next.labelAt <= t; next = pending.peek()) {
      pending.pop();
      model.learnOne(next.x, next.y);
      learnedDuringStream++;
    }

    const s = score(x);
    if (task === 'binary' ? !(s >= 0 && s <= 1) : !Number.isFinite(s)) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `prequential: model '${model.kind}' scored example ${sequence} (t=${t}) as ${s}; ` +
          (task === 'binary' ? 'predictProbaOne must return a probability in [0, 1]' : 'predictOne must return a finite number'),
      );
    }
    scores.push(s);
    labels.push(y);
    rolling.update(s, y);
    pending.push({ labelAt, sequence, x, y });
    sequence++;
    if (sequence % every === 0) addPoint(t);
  }
  if (sequence % every !== 0) addPoint(previousT);

  let learnedAfterStream = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    model.learnOne(next.x, next.y);
    learnedAfterStream++;
  }

  const common = {
    predictions: sequence,
    learnedDuringStream,
    learnedAfterStream,
    scores: Float64Array.from(scores),
    labels: Float64Array.from(labels),
    series,
  };
  if (task === 'binary') {
    const metrics = {
      rocAuc: rocAucOf(thresholdSweep(common.scores, common.labels)),
      logLoss: logLoss(common.scores, common.labels),
      accuracy: accuracyOf(countAt(common.scores, common.labels, threshold)),
    };
    return { ...common, task, metrics };
  }
  return { ...common, task, metrics: { mae: mae(common.scores, common.labels), rmse: rmse(common.scores, common.labels) } };
}

interface Scorer {
  readonly task: 'binary' | 'regression';
  readonly score: (x: Row) => number;
}

function scorerOf(model: OnlineModel): Scorer {
  if (model.task === 'regression') return { task: 'regression', score: (x) => model.predictOne(x) };
  if (model.task === 'binary') {
    const { predictProbaOne } = model;
    if (typeof predictProbaOne !== 'function') {
      throw new TandemError(
        'TANDEM_INVALID_PARAMETER',
        `prequential: binary model '${model.kind}' has no predictProbaOne, which rocAuc and logLoss need`,
      );
    }
    return { task: 'binary', score: (x) => predictProbaOne.call(model, x) };
  }
  throw new TandemError(
    'TANDEM_INVALID_PARAMETER',
    `prequential: model '${model.kind}' has task ${show(model.task)}; prequential validation supports 'binary' and 'regression'`,
  );
}

function checkExample(
  task: 'binary' | 'regression',
  index: number,
  y: number,
  t: number,
  labelAt: number,
  previousT: number,
): void {
  if (!Number.isFinite(t)) {
    throw new TandemError('TANDEM_INVALID_DATASET', `prequential: example ${index} has time t=${show(t)}; t must be a finite number`);
  }
  if (t < previousT) {
    throw new TandemError(
      'TANDEM_INVALID_DATASET',
      `prequential: example ${index} has t=${t}, before the previous example's t=${previousT}; sort the stream by time`,
    );
  }
  if (typeof labelAt !== 'number' || !(labelAt >= t)) {
    throw new TandemError(
      'TANDEM_INVALID_DATASET',
      `prequential: example ${index} has labelAt=${show(labelAt)}, before its t=${t}; a label cannot arrive before its prediction`,
    );
  }
  if (task === 'binary' ? y !== 0 && y !== 1 : !Number.isFinite(y)) {
    throw new TandemError(
      'TANDEM_INVALID_DATASET',
      `prequential: example ${index} has label y=${show(y)}; ` +
        (task === 'binary' ? 'binary labels must be 0 or 1' : 'regression targets must be finite'),
    );
  }
}

