import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../../src/models/artifact.js';
import type { OnlineModel, Row, Task } from '../../../src/models/model.js';
import {
  logLoss, mae, prequential, rmse, rocAuc, type PrequentialExample,
} from '../../../src/models/metrics/index.js';
import { expectClose, expectTandemError } from './assertions.js';

/**
 * A model whose every call is written to `log`, so the order of learning and predicting is
 * visible. It predicts the Laplace-smoothed mean of the labels learned so far, so its scores show
 * what it had learned too.
 */
class Recorder implements OnlineModel {
  readonly kind = 'recorder';
  readonly log: string[] = [];
  #sum = 0;
  #count = 0;

  constructor(readonly task: Task = 'binary') {}

  predictOne(x: Row): number {
    if (this.task === 'binary') return this.predictProbaOne(x) >= 0.5 ? 1 : 0;
    this.log.push(`predict ${String(x.id)}`);
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  predictProbaOne(x: Row): number {
    this.log.push(`predict ${String(x.id)}`);
    return (this.#sum + 1) / (this.#count + 2);
  }

  learnOne(x: Row, y: number): void {
    this.log.push(`learn ${String(x.id)}`);
    this.#sum += y;
    this.#count++;
  }

  learnMany(xs: readonly Row[], ys: ArrayLike<number>): void {
    xs.forEach((x, i) => this.learnOne(x, ys[i] as number));
  }

  toArtifact(): ModelArtifact {
    return { format: 'tandem-model', formatVersion: 1, kind: this.kind, params: {}, featureNames: [], state: null };
  }
}

const example = (id: string, y: number, t: number, labelAt?: number): PrequentialExample => ({
  x: { id },
  y,
  t,
  ...(labelAt === undefined ? {} : { labelAt }),
});

describe('prequential', () => {
  it('scores each example before learning it, and learns each label only once it has arrived', () => {
    const model = new Recorder();
    const report = prequential(model, [
      example('a', 1, 0, 5),
      example('b', 0, 1), // immediate: learned before the next prediction, c, at the same time
      example('c', 1, 1, 3),
      example('d', 0, 3, 10), // still pending when the stream ends
      example('e', 1, 5), // a's label arrives at 5 too: learned before e is scored
      example('f', 0, 5, 5),
      example('g', 1, 6, Number.POSITIVE_INFINITY),
    ]);
    expect(model.log).toEqual([
      'predict a',
      'predict b',
      'learn b',
      'predict c',
      'learn c',
      'predict d',
      'learn a',
      'predict e',
      'learn e',
      'predict f',
      'learn f',
      'predict g',
      'learn d',
      'learn g',
    ]);
    // Each score is (positives learned + 1) / (labels learned + 2) at that moment.
    expect([...report.scores]).toEqual([1 / 2, 1 / 2, 1 / 3, 2 / 4, 3 / 5, 4 / 6, 4 / 7]);
    expect(report.learnedDuringStream).toBe(5);
    expect(report.learnedAfterStream).toBe(2);
  });

  it('learns labels arriving at the same time in stream order, and earlier arrivals first', () => {
    const model = new Recorder();
    prequential(model, [example('p', 1, 0, 4), example('q', 0, 1, 4), example('r', 1, 2, 3), example('s', 0, 4)]);
    expect(model.log).toEqual(['predict p', 'predict q', 'predict r', 'learn r', 'learn p', 'learn q', 'predict s', 'learn s']);
  });

  it('with immediate labels is test-then-train: predict, learn, predict, learn', () => {
    const model = new Recorder();
    prequential(model, [example('a', 1, 0), example('b', 0, 0), example('c', 1, 0)]);
    expect(model.log).toEqual(['predict a', 'learn a', 'predict b', 'learn b', 'predict c', 'learn c']);
  });

  it('follows the delayed-label rule on any time-ordered stream: learn j before scoring i exactly when j < i and labelAt_j <= t_i', () => {
    const stream = fc.array(
      fc.record({
        gap: fc.integer({ min: 0, max: 2 }),
        delay: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        y: fc.integer({ min: 0, max: 1 }),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(stream, (steps) => {
        let t = 0;
        const examples = steps.map((step, i) => {
          t += step.gap;
          return example(String(i), step.y, t, step.delay === undefined ? undefined : t + step.delay);
        });
        const model = new Recorder();
        prequential(model, examples);
        // Reference: before each prediction, learn every earlier label that has arrived, sorted by
        // (arrival, stream position); at the end, the rest in the same order.
        const expected: string[] = [];
        const learned = new Set<number>();
        const arrival = (j: number): number => examples[j]?.labelAt ?? (examples[j] as PrequentialExample).t;
        const learnUpTo = (limit: number, before: number): void => {
          const due = [...Array(before).keys()].filter((j) => !learned.has(j) && arrival(j) <= limit);
          due.sort((a, b) => arrival(a) - arrival(b) || a - b);
          for (const j of due) {
            learned.add(j);
            expected.push(`learn ${j}`);
          }
        };
        examples.forEach((e, i) => {
          learnUpTo(e.t, i);
          expected.push(`predict ${i}`);
        });
        learnUpTo(Number.POSITIVE_INFINITY, examples.length);
        expect(model.log).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reports rocAuc, logLoss and accuracy over every prediction for a binary model', () => {
    const stream = [example('a', 1, 0, 2), example('b', 0, 1), example('c', 1, 2), example('d', 0, 3), example('e', 1, 4)];
    const report = prequential(new Recorder(), stream);
    expect(report.task).toBe('binary');
    if (report.task !== 'binary') return;
    expect(report.predictions).toBe(5);
    expect([...report.labels]).toEqual([1, 0, 1, 0, 1]);
    expect(report.metrics.rocAuc).toBe(rocAuc(report.scores, report.labels));
    expect(report.metrics.logLoss).toBe(logLoss(report.scores, report.labels));
    const correct = [...report.scores].filter((s, i) => (s >= 0.5 ? 1 : 0) === report.labels[i]).length;
    expect(report.metrics.accuracy).toBe(correct / 5);
  });

  it('reports mae and rmse for a regression model', () => {
    const stream = [example('a', 4, 0), example('b', 2, 1, 3), example('c', 6, 2), example('d', 3, 3)];
    const model = new Recorder('regression');
    const report = prequential(model, stream);
    // Scores: a → 0 (nothing learned); b → 4; c → 4 (b pending); d → (4 + 2 + 6) / 3 = 4.
    expect([...report.scores]).toEqual([0, 4, 4, 4]);
    expect(report.metrics).toEqual({ mae: mae(report.scores, report.labels), rmse: rmse(report.scores, report.labels) });
    expect(report.task === 'regression' && report.metrics.mae).toBe((4 + 2 + 2 + 1) / 4);
  });

  it('adds a series point every N predictions over the last `window`, and one after the last prediction', () => {
    const labels = [1, 0, 0, 1, 1, 0, 1];
    const points: number[] = [];
    const report = prequential(
      new Recorder(),
      labels.map((y, i) => example(String(i), y, i * 10)),
      { every: 2, window: 3, onPoint: (point) => points.push(point.predictions) },
    );
    expect(points).toEqual([2, 4, 6, 7]);
    expect(report.series.map((point) => [point.predictions, point.t, point.count])).toEqual([
      [2, 10, 2],
      [4, 30, 3],
      [6, 50, 3],
      [7, 60, 3],
    ]);
    const second = report.series[1];
    if (second?.task !== 'binary') throw new Error('expected a binary point');
    // Predictions 2..4 (indices 1, 2, 3).
    expectClose(second.logLoss, logLoss(report.scores.subarray(1, 4), report.labels.subarray(1, 4)));
    expectClose(second.rocAuc, rocAuc(report.scores.subarray(1, 4), report.labels.subarray(1, 4)));
  });

  it('returns an empty report for an empty stream', () => {
    const report = prequential(new Recorder(), []);
    expect(report.predictions).toBe(0);
    expect(report.series).toEqual([]);
    expect(report.task === 'binary' && Number.isNaN(report.metrics.rocAuc)).toBe(true);
  });

  it('names the example that breaks the rules of the stream', () => {
    const run = (...stream: PrequentialExample[]) => () => prequential(new Recorder(), stream);
    expectTandemError(run(example('a', 1, 5), example('b', 0, 4)), 'TANDEM_INVALID_DATASET', /example 1 has t=4, before the previous example's t=5; sort the stream by time/);
    expectTandemError(run(example('a', 1, 5, 4)), 'TANDEM_INVALID_DATASET', /example 0 has labelAt=4, before its t=5/);
    expectTandemError(run(example('a', 1, 5, Number.NaN)), 'TANDEM_INVALID_DATASET', /example 0 has labelAt=NaN/);
    expectTandemError(run(example('a', 1, Number.NaN)), 'TANDEM_INVALID_DATASET', /example 0 has time t=NaN; t must be a finite number/);
    expectTandemError(run(example('a', 2, 0)), 'TANDEM_INVALID_DATASET', /example 0 has label y=2; binary labels must be 0 or 1/);
    expectTandemError(
      () => prequential(new Recorder('regression'), [example('a', Number.POSITIVE_INFINITY, 0)]),
      'TANDEM_INVALID_DATASET',
      /example 0 has label y=Infinity; regression targets must be finite/,
    );
  });

  it('refuses a model that scores NaN, Infinity for regression, or a probability outside [0, 1]', () => {
    const broken = Object.assign(new Recorder(), { predictProbaOne: () => 1.5 });
    expectTandemError(() => prequential(broken, [example('a', 1, 0)]), 'TANDEM_INVALID_DATASET', /model 'recorder' scored example 0 \(t=0\) as 1.5; predictProbaOne must return a probability in \[0, 1\]/);
    const infinite = Object.assign(new Recorder('regression'), { predictOne: () => Number.POSITIVE_INFINITY });
    expectTandemError(() => prequential(infinite, [example('a', 1, 0)]), 'TANDEM_INVALID_DATASET', /as Infinity; predictOne must return a finite number/);
    const nan = Object.assign(new Recorder('regression'), { predictOne: () => Number.NaN });
    expectTandemError(() => prequential(nan, [example('a', 1, 0)]), 'TANDEM_INVALID_DATASET', /scored example 0 \(t=0\) as NaN; predictOne must return a finite number/);
  });

  it('refuses models it cannot score, and bad options', () => {
    const noProba: OnlineModel = Object.assign(new Recorder(), { predictProbaOne: undefined });
    expectTandemError(() => prequential(noProba, []), 'TANDEM_INVALID_PARAMETER', /binary model 'recorder' has no predictProbaOne/);
    expectTandemError(() => prequential(new Recorder('anomaly'), []), 'TANDEM_INVALID_PARAMETER', /task 'anomaly'; prequential validation supports 'binary' and 'regression'/);
    expectTandemError(() => prequential(new Recorder(), [], { every: 0 }), 'TANDEM_INVALID_PARAMETER', /prequential: every 0 must be a positive integer/);
    expectTandemError(() => prequential(new Recorder(), [], { window: 1.5 }), 'TANDEM_INVALID_PARAMETER', /prequential: window 1.5 must be a positive integer/);
  });
});
