import { randomUUID } from 'node:crypto';
import { TandemError } from '../errors.js';
import { withoutFeatures, type FallbackReason, type ServingFeatures } from '../features/model-serving.js';
import type { FeatureView } from '../features/feature-view.js';
import type { ModelDefinition } from '../features/model.js';
import type { Project } from '../features/project.js';
import type { StreamEngine } from '../engine/stream.js';
import { checkPredictRequest, requestId, requestTime } from './check-request.js';
import type { FallbackAnswer } from './fallback-chain.js';
import { inCanary } from './canary.js';
import { FeaturePlan, type FeatureRead } from './feature-plan.js';
import { MicroBatcher } from './micro-batcher.js';
import { ModelRuntime, PreviousScoring, VersionRuntime } from './model-runtime.js';
import type { PredictionLog } from './prediction-log.js';
import { ServingMetrics } from './serving-metrics.js';
import { ShadowScorer } from './shadow-scorer.js';
import type { FallbackUse, PredictRequest, Prediction, ServedModel } from './types.js';

export interface PredictorOptions {
  /** Where predictions are counted. @default a new ServingMetrics */
  readonly metrics?: ServingMetrics;
  /** Where predictions are logged for feedback and audit. @default none */
  readonly log?: PredictionLog;
  /** Told of every answered prediction and every label that joins one (monitoring). @default none */
  readonly observer?: PredictionObserver;
  /**
   * Make the engine hold the current state of a request's entities before it is read: a
   * serving replica loads them from the shared online state (see SharedOnlineFeatures). A
   * rejection with TANDEM_STATE_UNAVAILABLE is answered by the fallback chain
   * ('features-unavailable'). @default none: the engine is the live state
   */
  readonly prepare?: (views: readonly FeatureView[], request: PredictRequest) => Promise<void>;
}

/** What monitoring sees of serving. Called on the request path: keep it cheap. */
export interface PredictionObserver {
  prediction(prediction: Prediction, features: ServingFeatures, at: number): void;
  label(model: string, score: number, label: number): void;
}

export interface PredictOptions {
  /** Prefix for validation errors, e.g. '[3] ' for the fourth request of an array. */
  readonly where?: string;
}

const NO_FEATURES: ServingFeatures = Object.freeze({});

/** What a prediction in progress carries from step to step. */
interface Context {
  readonly model: ModelRuntime;
  /** The version answering: the champion, or the canary for the canary's share. */
  readonly champion: VersionRuntime;
  readonly request: PredictRequest;
  readonly id: string;
  readonly at: number;
  readonly started: number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * The serving path: request → validate → one online read per view + request-time features →
 * model → rules → prediction with the version that answered. A latency budget, an in-flight
 * limit, unseen entities and model errors hand over to the model's fallback chain, and the
 * reason is counted.
 *
 * "Timeout" is measured, not enforced, for synchronous models (JavaScript cannot interrupt
 * them): when the read + score took longer than the budget, the fallback answers and the
 * late score is dropped, so a slow model is visible and never silently trusted. Scorers that
 * answer asynchronously are raced against a timer and the fallback answers at the budget.
 */
export class Predictor {
  readonly metrics: ServingMetrics;
  readonly #project: Project;
  readonly #engine: StreamEngine;
  readonly #prepare: PredictorOptions['prepare'];
  readonly #models = new Map<string, ModelRuntime>();
  readonly #log: PredictionLog | undefined;
  readonly #shadows: ShadowScorer;
  readonly #observer: PredictionObserver | undefined;

  constructor(project: Project, engine: StreamEngine, models: ReadonlyMap<string, ServedModel>, options: PredictorOptions = {}) {
    this.#project = project;
    this.#engine = engine;
    this.#prepare = options.prepare;
    this.#log = options.log;
    this.#observer = options.observer;
    this.metrics =
      options.metrics ??
      new ServingMetrics({
        versions: () => this.models.flatMap((name) => this.versions(name)),
        inFlight: () => [...this.#models.values()].map((m) => [m.name, m.inFlight] as const),
      });
    this.#shadows = new ShadowScorer(engine, this.metrics, this.#log);
    for (const [name, served] of models) this.replace(name, served);
  }

  /** Names of the served models. */
  get models(): readonly string[] {
    return [...this.#models.keys()];
  }

  /** A served model's champion version, what it reads, its definition and its work in flight. */
  describe(name: string): { readonly definition: ModelDefinition; readonly version: number; readonly plan: FeaturePlan; readonly inFlight: number } {
    const model = this.#model(name);
    return { definition: model.definition, version: model.champion.version, plan: model.champion.plan, inFlight: model.inFlight };
  }

  /** The versions a model uses, by role: champion, previous, canary, shadow. */
  versions(name: string): [string, string, number][] {
    const model = this.#model(name);
    const roles: [string, string, number][] = [[name, 'champion', model.champion.version]];
    if (model.previous !== undefined) roles.push([name, 'previous', model.previous.version]);
    if (model.canary !== undefined) roles.push([name, 'canary', model.canary.version]);
    if (model.shadow !== undefined) roles.push([name, 'shadow', model.shadow.version]);
    return roles;
  }

  /**
   * Answer `name` from its fallback chain (reason 'forced') while `alert` is set; undefined
   * returns it to the model. A chain with no step for 'forced' keeps the model answering.
   */
  forceFallback(name: string, alert: string | undefined): void {
    this.#model(name).forcedBy = alert;
  }

  /** The alert that switched a model to its fallback chain, if any. */
  forcedBy(name: string): string | undefined {
    return this.#model(name).forcedBy;
  }

  /** Score every queued shadow request now (tests, shutdown). */
  drainShadows(): Promise<void> {
    return this.#shadows.drain();
  }

  /**
   * Serve `served` for model `name` from now on (start, or hot reload when the champion
   * moves). Predictions in progress finish with the version they started with.
   */
  replace(name: string, served: ServedModel): void {
    const definition = this.#project.models.get(name);
    if (definition === undefined) {
      throw new TandemError('TANDEM_UNKNOWN_MODEL', `cannot serve model '${name}': the project defines ${[...this.#project.models.keys()].join(', ') || 'no models'}`);
    }
    const batching = definition.serving.batching;
    const batchSizes = this.metrics.batchSizes.series([name]);
    const runtime = (version: ServedModel['champion']): VersionRuntime => {
      try {
        const served = new VersionRuntime(version.version, version.scorer, new FeaturePlan(this.#project, definition, version.scorer));
        if (batching !== undefined) served.batcher = new MicroBatcher(version.scorer, { ...batching, onBatch: (size) => batchSizes.observe(size) });
        return served;
      } catch (error) {
        if (!(error instanceof TandemError)) throw error;
        throw new TandemError(error.code, `cannot serve ${name}@${version.version}: ${error.message}`, { cause: error, details: { model: name, version: version.version } });
      }
    };
    const optional = (version: ServedModel['previous']): VersionRuntime | undefined => (version === undefined ? undefined : runtime(version));
    const champion = runtime(served.champion);
    const [previous, canary, shadow] = [optional(served.previous), optional(served.canary), optional(served.shadow)];
    let model = this.#models.get(name);
    if (model === undefined) this.#models.set(name, (model = new ModelRuntime(definition, this.metrics.forModel(name))));
    // Synchronous: a request picks its version between two swaps, never in the middle of one.
    model.champion = champion;
    model.previous = previous;
    model.canary = definition.serving.canary === undefined ? undefined : canary;
    model.shadow = definition.serving.shadow === undefined ? undefined : shadow;
  }

  /** Validate a request without predicting (e.g. every item of a batch before any is served). */
  check(name: string, body: unknown, options: PredictOptions = {}): void {
    checkPredictRequest(this.#model(name).champion.plan, body, options.where ?? '');
  }

  /** Predict for one request; see the class comment for the path and its fallbacks. */
  async predict(name: string, body: unknown, options: PredictOptions = {}): Promise<Prediction> {
    const model = this.#model(name);
    const where = options.where ?? '';
    const request = checkPredictRequest(model.champion.plan, body, where);
    const canary = model.canary;
    const champion = canary !== undefined && inCanary(name, model.champion.plan.keyFields, request, model.definition.serving.canary!.share) ? canary : model.champion;
    const context: Context = { model, champion, request, id: requestId(request, where) ?? randomUUID(), at: requestTime(request, where), started: performance.now() };
    const prepare = this.#prepare;
    if (prepare !== undefined) {
      try {
        await prepare(model.shadow === undefined ? champion.plan.views : [...champion.plan.views, ...model.shadow.plan.views], request);
      } catch (error) {
        if (!(error instanceof TandemError && error.code === 'TANDEM_STATE_UNAVAILABLE')) throw error;
        return this.#fallback(context, 'features-unavailable', NO_FEATURES) ?? this.#fail(context, 'features-unavailable', error);
      }
    }
    let read: FeatureRead;
    try {
      read = champion.plan.read(this.#engine, request, context.at);
    } catch (error) {
      if (!(error instanceof TandemError && error.code === 'TANDEM_FEATURE_VALUE')) throw error;
      return this.#fallback(context, 'feature-error', NO_FEATURES) ?? this.#fail(context, 'feature-error', error);
    }
    const features = read.row as ServingFeatures;
    if (model.forcedBy !== undefined) {
      const answered = this.#fallback(context, 'forced', features);
      if (answered !== undefined) return answered;
    }
    if (read.missing && model.chain.covers('missing-features')) {
      // With no step that answers, the model scores the unseen entity's empty features.
      const answered = this.#fallback(context, 'missing-features', features);
      if (answered !== undefined) return answered;
    }
    const limit = model.definition.serving.maxInFlight;
    if (limit !== undefined && model.inFlight >= limit) {
      return this.#fallback(context, 'overload', features) ?? this.#fail(context, 'overload', new TandemError('TANDEM_OVERLOADED', `model '${name}' has ${model.inFlight} predictions in progress, its limit (serving.maxInFlight); retry shortly`));
    }
    let score: number | PromiseLike<number>;
    model.inFlight++;
    try {
      score = champion.score(read.row);
    } catch (error) {
      model.inFlight--;
      return this.#fallback(context, 'model-error', features) ?? this.#fail(context, 'model-error', error);
    }
    if (typeof score !== 'number') return this.#settle(context, score, features);
    model.inFlight--;
    return this.#scored(context, score, features);
  }

  /**
   * Feedback: an online model learns the label from the features its prediction used.
   * Returns whether it learned (false for batch models and online: false).
   */
  learn(name: string, features: ServingFeatures, label: number): boolean {
    const model = this.#model(name);
    const learn = model.champion.scorer.learn;
    if (!model.definition.online || learn === undefined) return false;
    learn(features as Parameters<typeof learn>[0], label);
    this.metrics.learned.series([name]).inc();
    return true;
  }

  /** A label joined a logged prediction of `name` (its served score). */
  labelled(name: string, score: number, label: number): void {
    if (this.#model(name).definition.task === 'binary') {
      if (!((label === 0 || label === 1) && score >= 0 && score <= 1)) return;
      this.metrics.observeLabel(name, score, label);
    } else {
      this.metrics.observeTarget(name, score, label);
    }
    this.#observer?.label(name, score, label);
  }

  /** A model's score from the model, checked against the budget. */
  #scored(context: Context, score: number, features: ServingFeatures): Prediction {
    if (!Number.isFinite(score)) {
      return this.#fallback(context, 'model-error', features) ?? this.#fail(context, 'model-error', new Error(`the model returned ${score}`));
    }
    const budget = context.model.definition.serving.budgetMs;
    if (budget !== undefined && performance.now() - context.started > budget) {
      // Over budget with no fallback for it: the late score is still the best answer.
      const answered = this.#fallback(context, 'timeout', features);
      if (answered !== undefined) return answered;
    }
    return this.#finish(context, context.champion.version, score, features, undefined);
  }

  /** An asynchronous score, raced against what remains of the budget. */
  async #settle(context: Context, pending: PromiseLike<number>, features: ServingFeatures): Promise<Prediction> {
    const model = context.model;
    const settled = Promise.resolve(pending).then(
      (score) => ({ score, error: undefined as unknown }),
      (error: unknown) => ({ score: Number.NaN, error: error ?? new Error('the model failed') }),
    );
    void settled.finally(() => model.inFlight--);
    const budget = model.definition.serving.budgetMs;
    let result: Awaited<typeof settled> | typeof TIMED_OUT;
    if (budget === undefined || !model.chain.covers('timeout')) {
      result = await settled;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, budget - (performance.now() - context.started)), TIMED_OUT);
      });
      result = await Promise.race([settled, timeout]);
      clearTimeout(timer);
    }
    if (result === TIMED_OUT) {
      return this.#fallback(context, 'timeout', features) ?? this.#scored(context, (await settled).score, features);
    }
    if (result.error !== undefined) return this.#fallback(context, 'model-error', features) ?? this.#fail(context, 'model-error', result.error);
    return this.#scored(context, result.score, features);
  }

  #fallback(context: Context, reason: FallbackReason, features: ServingFeatures): Prediction | undefined {
    const model = context.model;
    const previous = model.previous === undefined ? undefined : new PreviousScoring(model.previous, this.#engine, context.request, context.at);
    const answer: FallbackAnswer | undefined = model.chain.answer(reason, features, previous);
    if (answer === undefined) return undefined;
    this.metrics.fallbacks.series([model.name, answer.use.kind, reason]).inc();
    return this.#finish(context, answer.version, answer.score, features, answer.use);
  }

  #fail(context: Context, reason: FallbackReason, error: unknown): never {
    this.metrics.unanswered.series([context.model.name, reason]).inc();
    if (error instanceof TandemError && error.status < 500) throw error;
    // Overload and an unreachable shared state are the server's condition, not a bug: 503, retry.
    if (error instanceof TandemError && (error.code === 'TANDEM_OVERLOADED' || error.code === 'TANDEM_STATE_UNAVAILABLE')) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TandemError('TANDEM_INTERNAL', `model '${context.model.name}' version ${context.champion.version} failed (${reason}: ${message}) and has no fallback for it; configure serving.fallback`, { cause: error });
  }

  #finish(context: Context, version: number | null, score: number, features: ServingFeatures, fallback: FallbackUse | undefined): Prediction {
    const model = context.model;
    const outcome = model.rules.evaluate(score, features, fallback?.kind ?? null);
    let prediction: Prediction = { id: context.id, model: model.name, version, score, decision: outcome.decision, rule: outcome.rule, reasons: outcome.reasons };
    if (fallback !== undefined) prediction = { ...prediction, fallback };
    else if (context.champion === model.canary) prediction = { ...prediction, variant: 'canary' };
    const series = model.series;
    (fallback !== undefined ? series.byFallback : context.champion === model.canary ? series.byCanary : series.byModel).inc();
    series.latency.observe((performance.now() - context.started) / 1000);
    this.metrics.decisions.series([model.name, outcome.decision, outcome.rule ?? 'none']).inc();
    this.#log?.record({ prediction, features, at: context.at, request: context.request });
    this.#observer?.prediction(prediction, features, context.at);
    const shadow = model.shadow;
    if (shadow !== undefined && !withoutFeatures(fallback?.reason)) {
      this.#shadows.enqueue(shadow, model.rules, prediction, shadow.inputsKey === context.champion.inputsKey ? features : undefined, context.request, context.at);
    }
    return prediction;
  }

  #model(name: string): ModelRuntime {
    const model = this.#models.get(name);
    if (model !== undefined) return model;
    if (this.#project.models.has(name)) {
      throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${name}' has no champion version in the registry; train it (tandem train --model ${name}) or point the alias (tandem models alias ${name} champion <version>)`);
    }
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${name}' (served: ${this.models.join(', ') || 'none'})`);
  }
}
