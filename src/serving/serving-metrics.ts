import { RollingBinaryMetrics } from '../models/metrics/rolling-binary-metrics.js';
import { RollingRegressionMetrics } from '../models/metrics/rolling-regression-metrics.js';
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, MetricsRegistry, type CounterSeries, type HistogramSeries } from './prometheus.js';

/** One model's hot-path series, looked up once. */
export interface ModelSeries {
  readonly byModel: CounterSeries;
  readonly byFallback: CounterSeries;
  readonly byCanary: CounterSeries;
  readonly latency: HistogramSeries;
}

/** Gauges read at scrape time: what is being served and what is in flight. */
export interface ServingState {
  /** Served models' versions by role (champion, previous, canary, shadow). */
  versions(): Iterable<readonly [string, string, number]>;
  /** Predictions in progress, per model. */
  inFlight(): Iterable<readonly [string, number]>;
}

/**
 * What serving counts, as Prometheus metrics: predictions by model and outcome, latency,
 * fallbacks by kind and reason, decisions, feedback, served versions and in-flight work.
 */
export class ServingMetrics {
  readonly registry = new MetricsRegistry();
  readonly predictions = this.registry.add(new Counter('tandem_predictions_total', 'Predictions answered, by model and by who answered (model, canary or fallback).', ['model', 'outcome']));
  readonly latency = this.registry.add(new Histogram('tandem_predict_duration_seconds', 'Feature read + score + rules time per prediction, in seconds.', ['model'], LATENCY_BUCKETS));
  readonly fallbacks = this.registry.add(new Counter('tandem_fallbacks_total', 'Predictions answered by a fallback, by kind and reason.', ['model', 'kind', 'reason']));
  readonly decisions = this.registry.add(new Counter('tandem_decisions_total', 'Decisions, by model, decision and the rule that decided (none: the default).', ['model', 'decision', 'rule']));
  readonly feedback = this.registry.add(new Counter('tandem_feedback_total', 'Feedback labels received, by whether they joined a logged prediction.', ['model', 'joined']));
  readonly learned = this.registry.add(new Counter('tandem_online_updates_total', 'Online model updates made from feedback.', ['model']));
  readonly unanswered = this.registry.add(new Counter('tandem_prediction_failures_total', 'Predictions that failed with no fallback to answer, by reason.', ['model', 'reason']));
  readonly shadowPredictions = this.registry.add(new Counter('tandem_shadow_predictions_total', 'Shadow scores, by model, shadow version and whether its decision agreed with the answer given.', ['model', 'version', 'decision']));
  readonly shadowFailures = this.registry.add(new Counter('tandem_shadow_failures_total', 'Shadow versions that failed to score a request.', ['model']));
  readonly shadowDropped = this.registry.add(new Counter('tandem_shadow_dropped_total', 'Shadow scores skipped because the shadow queue was full.', ['model']));
  readonly batchSizes = this.registry.add(new Histogram('tandem_batch_size', 'Requests scored together by micro-batching, per model (models with serving.batching).', ['model'], [1, 2, 4, 8, 16, 32, 64, 128, 256]));
  readonly reloads = this.registry.add(new Counter('tandem_model_reloads_total', 'Champion versions loaded after the registry alias moved.', ['model']));
  readonly httpRequests = this.registry.add(new Counter('tandem_http_requests_total', 'HTTP requests, by method, route and status code.', ['method', 'route', 'status']));
  readonly httpLatency = this.registry.add(new Histogram('tandem_http_request_duration_seconds', 'HTTP request time, by route, in seconds.', ['route'], LATENCY_BUCKETS));
  #httpInFlight = 0;
  readonly #performance = new Map<string, RollingBinaryMetrics>();
  readonly #errors = new Map<string, RollingRegressionMetrics>();
  /** How many recent labelled predictions the performance gauges cover, per model. */
  static readonly PERFORMANCE_WINDOW = 10_000;

  constructor(state: ServingState) {
    this.registry.add(new Gauge('tandem_model_version', 'The registry versions each served model uses, by role (champion, previous, canary, shadow).', ['model', 'role'], () => [...state.versions()].map(([model, role, version]) => [[model, role], version] as const)));
    this.registry.add(new Gauge('tandem_predictions_in_flight', 'Predictions in progress, per model.', ['model'], () => [...state.inFlight()].map(([model, n]) => [[model], n] as const)));
    const performance = (pick: (m: RollingBinaryMetrics) => number) => () => [...this.#performance].map(([model, m]) => [[model], pick(m)] as const);
    const errors = (pick: (m: RollingRegressionMetrics) => number) => () => [...this.#errors].map(([model, m]) => [[model], pick(m)] as const);
    this.registry.add(
      new Gauge('tandem_feedback_window_size', 'Labelled predictions the performance gauges cover (the most recent, up to 10 000).', ['model'], () => [
        ...performance((m) => m.count)(),
        ...errors((m) => m.count)(),
      ]),
    );
    this.registry.add(new Gauge('tandem_feedback_log_loss', 'Log loss of the served scores over the recent labelled predictions (binary models).', ['model'], performance((m) => m.logLoss())));
    this.registry.add(new Gauge('tandem_feedback_accuracy', 'Accuracy at 0.5 of the served scores over the recent labelled predictions (binary models).', ['model'], performance((m) => m.accuracy())));
    this.registry.add(new Gauge('tandem_feedback_roc_auc', 'ROC AUC of the served scores over the recent labelled predictions (binary models); NaN with one class.', ['model'], performance((m) => m.rocAuc())));
    this.registry.add(new Gauge('tandem_feedback_mae', 'Mean absolute error of the served predictions over the recent labelled ones (regression models).', ['model'], errors((m) => m.mae())));
    this.registry.add(new Gauge('tandem_feedback_rmse', 'Root mean squared error of the served predictions over the recent labelled ones (regression models).', ['model'], errors((m) => m.rmse())));
    this.registry.add(new Gauge('tandem_http_requests_in_flight', 'HTTP requests in progress.', [], () => [[[], this.#httpInFlight]]));
  }

  /** A binary model's served probability met its 0/1 label: update the rolling performance. */
  observeLabel(model: string, probability: number, label: number): void {
    let metrics = this.#performance.get(model);
    if (metrics === undefined) this.#performance.set(model, (metrics = new RollingBinaryMetrics({ window: ServingMetrics.PERFORMANCE_WINDOW })));
    metrics.update(probability, label);
  }

  /** A regression model's served prediction met its target: update the rolling errors. */
  observeTarget(model: string, prediction: number, target: number): void {
    let metrics = this.#errors.get(model);
    if (metrics === undefined) this.#errors.set(model, (metrics = new RollingRegressionMetrics({ window: ServingMetrics.PERFORMANCE_WINDOW })));
    metrics.update(prediction, target);
  }

  forModel(model: string): ModelSeries {
    return { byModel: this.predictions.series([model, 'model']), byFallback: this.predictions.series([model, 'fallback']), byCanary: this.predictions.series([model, 'canary']), latency: this.latency.series([model]) };
  }

  httpStarted(): void {
    this.#httpInFlight++;
  }

  httpFinished(method: string, route: string, status: number, seconds: number): void {
    this.#httpInFlight--;
    this.httpRequests.series([method, route, String(status)]).inc();
    this.httpLatency.series([route]).observe(seconds);
  }

  render(): string {
    return this.registry.render();
  }
}
