import type { ServingFeatures } from '../features/model-serving.js';
import type { StreamEngine } from '../engine/stream.js';
import type { Row } from '../models/model.js';
import type { FeaturePlan } from './feature-plan.js';
import type { PredictionLog } from './prediction-log.js';
import type { RuleEvaluator } from './rules.js';
import type { ServingMetrics } from './serving-metrics.js';
import type { PredictRequest, Prediction, Scorer } from './types.js';

/** A shadow version with what it reads. */
export interface ShadowVersion {
  readonly version: number;
  readonly scorer: Scorer;
  readonly plan: FeaturePlan;
  /** Its inputs' references in order, to tell whether a prediction's row can be reused. */
  readonly inputsKey: string;
}

interface Job {
  readonly shadow: ShadowVersion;
  readonly rules: RuleEvaluator;
  readonly prediction: Prediction;
  /** The answering version's row when the shadow reads the same inputs, else undefined. */
  readonly features: ServingFeatures | undefined;
  readonly request: PredictRequest;
  readonly at: number;
}

export interface ShadowScorerOptions {
  /** Jobs waiting beyond this are dropped (and counted) rather than grow memory. @default 10_000 */
  readonly maxQueue?: number;
}

/**
 * Scores shadow versions after the response, off the critical path: jobs queue and run on a
 * later turn of the event loop, so a slow or failing shadow never delays or fails a request.
 * Each result is logged beside the champion's and counted, with whether the decisions agree.
 */
export class ShadowScorer {
  readonly #engine: StreamEngine;
  readonly #metrics: ServingMetrics;
  readonly #log: PredictionLog | undefined;
  readonly #maxQueue: number;
  #queue: Job[] = [];
  #scheduled = false;
  #running: Promise<void> = Promise.resolve();

  constructor(engine: StreamEngine, metrics: ServingMetrics, log: PredictionLog | undefined, options: ShadowScorerOptions = {}) {
    this.#engine = engine;
    this.#metrics = metrics;
    this.#log = log;
    this.#maxQueue = options.maxQueue ?? 10_000;
  }

  enqueue(shadow: ShadowVersion, rules: RuleEvaluator, prediction: Prediction, features: ServingFeatures | undefined, request: PredictRequest, at: number): void {
    if (this.#queue.length >= this.#maxQueue) {
      this.#metrics.shadowDropped.series([prediction.model]).inc();
      return;
    }
    this.#queue.push({ shadow, rules, prediction, features, request, at });
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Score everything queued so far (tests, shutdown). */
  drain(): Promise<void> {
    this.#scheduled = false;
    const jobs = this.#queue;
    this.#queue = [];
    this.#running = this.#running.then(async () => {
      for (const job of jobs) await this.#score(job);
    });
    return this.#running;
  }

  async #score(job: Job): Promise<void> {
    const { shadow, prediction } = job;
    const model = prediction.model;
    let score: number;
    let features: ServingFeatures;
    try {
      features = job.features ?? (shadow.plan.read(this.#engine, job.request, job.at).row as ServingFeatures);
      score = await shadow.scorer.score(features as Row);
      if (!Number.isFinite(score)) throw new Error(`the shadow returned ${score}`);
    } catch (error) {
      this.#metrics.shadowFailures.series([model]).inc();
      this.#log?.recordShadow({ id: prediction.id, model, version: shadow.version, score: null, decision: null, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const outcome = job.rules.evaluate(score, features, null);
    const agrees = outcome.decision === prediction.decision;
    this.#metrics.shadowPredictions.series([model, String(shadow.version), agrees ? 'agree' : 'disagree']).inc();
    this.#log?.recordShadow({ id: prediction.id, model, version: shadow.version, score, decision: outcome.decision, error: null });
  }
}
