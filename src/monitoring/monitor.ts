import type { FeatureValue } from '../features/aggregations.js';
import type { Project } from '../features/project.js';
import type { ModelRegistry } from '../registry/registry.js';
import type { Predictor } from '../serving/predictor.js';
import { Gauge } from '../serving/prometheus.js';
import type { ServingMetrics } from '../serving/serving-metrics.js';
import type { Prediction } from '../serving/types.js';
import type { AlertActions } from './alerts/alert-actions.js';
import { AlertEngine } from './alerts/alert-engine.js';
import { histogramQuantile } from './live/histogram-quantile.js';
import { ModelMonitor } from './live/model-monitor.js';
import { ProcessSampler } from './live/process-sampler.js';
import { SeriesRing } from './live/series-ring.js';
import type { ReportInput } from './report/index.js';
import type { AlertRecord, DatasetDrift, ModelMonitoring, MonitoringSnapshot } from './types.js';

export interface MonitorOptions {
  readonly project: Project;
  readonly registry: ModelRegistry | undefined;
  readonly metrics: ServingMetrics;
  /** Events the stream has applied so far. */
  readonly eventsApplied: () => number;
  readonly actions: AlertActions;
  /** How often the process series get a point and alerts are checked; false: only when `tick` is called. @default 5_000 */
  readonly sampleEveryMs?: number | false;
  readonly now?: () => number;
  /**
   * The clock of alert cooldowns and alert times. @default `now`. A replay or a simulation
   * passes its event time, so cooldowns are measured in the time of the traffic.
   */
  readonly alertClock?: () => number;
}

interface Counters {
  readonly requests: number;
  readonly fallbacks: number;
  readonly events: number;
  /** Cumulative latency histogram of every model's predictions. */
  readonly latency: Float64Array;
  readonly latencyCount: number;
}

const SERIES = ['requestsPerSecond', 'eventsPerSecond', 'latencyP50Ms', 'latencyP99Ms', 'fallbackRate', 'cpuPercent', 'rssMb', 'eventLoopLagP99Ms', 'freshnessSeconds'];
/** Points per process series: an hour at the default 5 s. */
const HISTORY = 720;
/** The test metrics the dashboard shows per version (the registry keeps them all). */
const HEADLINE_METRICS = ['rows', 'rocAuc', 'prAuc', 'logLoss', 'brierScore', 'mae', 'rmse', 'r2'];
/** Alerts kept in memory for the dashboard (all are in the audit log). */
const RECENT_ALERTS = 200;

/**
 * Watches what `tandem serve` does: per model, drift of inputs and scores against the
 * champion's training profile, performance over labelled predictions and concept-drift
 * detectors; for the process, throughput, latency, fallbacks, freshness and resource use.
 * Each model's alerts are checked after each drift evaluation and at every sample, and act
 * through `actions`; every alert is recorded in the registry's audit log.
 */
export class Monitor {
  readonly #options: MonitorOptions;
  readonly #now: () => number;
  readonly #models = new Map<string, ModelMonitor>();
  readonly #engines = new Map<string, AlertEngine>();
  readonly #lastDrift = new Map<string, number>();
  readonly #sampler = new ProcessSampler();
  readonly #series = new SeriesRing(SERIES, HISTORY);
  readonly #alerts: AlertRecord[] = [];
  readonly #started: number;
  #predictor: Predictor | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> = Promise.resolve();
  #previous: Counters & { readonly at: number };
  #lastEventAt: number | null = null;

  constructor(options: MonitorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    for (const definition of options.project.models.values()) {
      this.#models.set(definition.name, new ModelMonitor(definition));
      this.#engines.set(
        definition.name,
        new AlertEngine(definition.name, definition.monitoring.alerts, { actions: options.actions, record: (alert) => this.#record(alert), now: options.alertClock ?? this.#now }),
      );
    }
    this.#previous = { at: this.#now(), ...this.#counters() };
    this.#registerMetrics();
  }

  /** Monitoring's own Prometheus series, read at scrape time. */
  #registerMetrics(): void {
    const registry = this.#options.metrics.registry;
    const perModel = (pick: (m: ModelMonitor) => number | null | undefined) => () =>
      [...this.#models].flatMap(([name, m]) => {
        const value = pick(m);
        return value === null || value === undefined ? [] : [[[name], value] as const];
      });
    registry.add(new Gauge('tandem_drift_share', 'Share of input features drifted in the latest drift evaluation, per model.', ['model'], perModel((m) => m.view().drift?.driftShare)));
    registry.add(new Gauge('tandem_drift_detected', 'Whether the latest drift evaluation found dataset drift (1) or not (0), per model.', ['model'], perModel((m) => { const d = m.view().drift; return d === null ? null : d.drifted ? 1 : 0; })));
    registry.add(
      new Gauge('tandem_feature_drift_statistic', "Each column's drift statistic (p-value for tests, distance otherwise) in the latest evaluation.", ['model', 'column', 'method'], () =>
        [...this.#models].flatMap(([name, m]) => (m.view().drift?.columns ?? []).map((c) => [[name, c.column, c.method], c.pValue ?? c.statistic] as const)),
      ),
    );
    registry.add(
      new Gauge('tandem_feedback_calibration_error', 'Expected calibration error (10 bins) of the served scores over the recent labelled predictions (binary models).', ['model'], perModel((m) => {
        const value = m.performance().values.calibrationError;
        return value === undefined || !Number.isFinite(value) ? null : value;
      })),
    );
    registry.add(
      new Gauge('tandem_concept_drift_changes', 'Changes a concept-drift detector has signalled on the prediction loss, per model and detector.', ['model', 'detector'], () =>
        [...this.#models].flatMap(([name, m]) => m.view().detectors.map((d) => [[name, d.name], d.changes] as const)),
      ),
    );
    registry.add(
      new Gauge('tandem_alerts_fired', 'Alerts fired since the process started, per model, alert and action.', ['model', 'alert', 'action'], () => {
        const counts = new Map<string, { labels: string[]; n: number }>();
        for (const a of this.#alerts) {
          const key = `${a.model}\u0000${a.alert}\u0000${a.action}`;
          const entry = counts.get(key) ?? { labels: [a.model, a.alert, a.action], n: 0 };
          entry.n++;
          counts.set(key, entry);
        }
        return [...counts.values()].map((e) => [e.labels, e.n] as const);
      }),
    );
    const latest = (name: string, scale = 1) => () => {
      const value = this.#series.latest(name);
      return value === null ? [] : [[[], value * scale] as const];
    };
    registry.add(new Gauge('tandem_process_cpu_ratio', 'CPU time used per second of wall time over the last sample (1 = one core busy).', [], latest('cpuPercent', 0.01)));
    registry.add(new Gauge('tandem_process_resident_memory_bytes', 'Resident memory of the process at the last sample.', [], latest('rssMb', 1_048_576)));
    registry.add(new Gauge('tandem_event_loop_lag_p99_seconds', '99th percentile of event-loop delay over the last sample.', [], latest('eventLoopLagP99Ms', 0.001)));
    registry.add(new Gauge('tandem_feature_freshness_seconds', 'Time since the stream last applied an event, at the last sample.', [], latest('freshnessSeconds')));
  }

  /** Serving started: the predictor whose champions drift is measured against, from its first prediction. */
  async attach(predictor: Predictor): Promise<void> {
    this.#predictor = predictor;
    for (const [name, monitor] of this.#models) await this.#syncReference(name, monitor);
  }

  start(): void {
    const every = this.#options.sampleEveryMs ?? 5_000;
    if (every === false) return;
    this.#timer = setInterval(() => void this.tick(), every);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ticking;
    this.#sampler.stop();
  }

  /** A prediction was answered. */
  observePrediction(prediction: Prediction, features: Readonly<Record<string, FeatureValue>>): void {
    this.#models.get(prediction.model)?.observe(features, prediction.score, prediction.fallback !== undefined);
  }

  /** A label met its logged prediction. */
  observeLabel(model: string, score: number, label: number): void {
    this.#models.get(model)?.observeLabel(score, label);
  }

  /** One sample: process series, champions' references, due drift evaluations and alert checks. */
  tick(): Promise<void> {
    this.#ticking = this.#ticking.then(() => this.#tick()).catch((error: unknown) => {
      process.stderr.write(`monitoring: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    return this.#ticking;
  }

  /** Evaluate a model's drift now and check its alerts (tests, `POST /v1/monitoring/:model/evaluate`). */
  async evaluate(model: string): Promise<DatasetDrift | null> {
    const monitor = this.#models.get(model);
    if (monitor === undefined) return null;
    await this.#syncReference(model, monitor);
    const drift = monitor.evaluateDrift(this.#now());
    this.#lastDrift.set(model, this.#now());
    await this.#engines.get(model)?.check(monitor.signals(this.#freshnessMs()));
    return drift;
  }

  /** What `tandem monitor report` and the drift-report job render: the live window against the champion's reference. */
  async reportInput(model: string): Promise<ReportInput | undefined> {
    const monitor = this.#models.get(model);
    if (monitor === undefined) return undefined;
    await this.#syncReference(model, monitor);
    const reference = monitor.reference;
    const drift = monitor.evaluateDrift(this.#now());
    if (reference === undefined || drift === null) return undefined;
    const performance = monitor.performance();
    return {
      model,
      version: monitor.version,
      generatedAt: this.#now(),
      reference,
      drift,
      performance: { ...Object.fromEntries(Object.entries(performance.values).map(([k, v]) => [k, Number.isFinite(v) ? v : null])), labelled: performance.labelled },
      alerts: this.#alerts.filter((a) => a.model === model),
    };
  }

  /** Alerts fired so far, newest first. */
  get alerts(): readonly AlertRecord[] {
    return this.#alerts;
  }

  async snapshot(): Promise<MonitoringSnapshot> {
    const now = this.#now();
    const models: ModelMonitoring[] = [];
    const registry = this.#options.registry;
    for (const [name, monitor] of this.#models) {
      const versions = registry === undefined ? [] : await registry.versions(name);
      const roles = new Map((this.#predictor?.models.includes(name) ? this.#predictor.versions(name) : []).map(([, role, version]) => [role, version]));
      models.push({
        model: name,
        task: monitor.definition.task,
        versions: versions.map((v) => ({
          version: v.version,
          createdAt: v.createdAt,
          aliases: v.aliases,
          metrics: Object.fromEntries(
            HEADLINE_METRICS.filter((name) => typeof v.metrics[name] === 'number' || v.metrics[name] === null).map((name) => [name, v.metrics[name] as number | null]),
          ),
        })),
        serving: { champion: roles.get('champion') ?? null, canary: roles.get('canary') ?? null, shadow: roles.get('shadow') ?? null },
        ...monitor.view(),
      });
    }
    return { generatedAt: now, uptimeSeconds: (now - this.#started) / 1000, series: this.#series.toJSON(), models, alerts: this.#alerts };
  }

  async #tick(): Promise<void> {
    const now = this.#now();
    this.#sampleProcess(now);
    for (const [name, monitor] of this.#models) {
      await this.#syncReference(name, monitor);
      const every = monitor.definition.monitoring.evaluateEveryMs;
      if (now - (this.#lastDrift.get(name) ?? -Infinity) >= every) {
        monitor.evaluateDrift(now);
        this.#lastDrift.set(name, now);
      }
      monitor.tick(now / 1000);
      await this.#engines.get(name)?.check(monitor.signals(this.#freshnessMs()));
    }
  }

  /** Measure drift against the version now serving as champion. */
  async #syncReference(name: string, monitor: ModelMonitor): Promise<void> {
    const predictor = this.#predictor;
    const registry = this.#options.registry;
    if (predictor === undefined || !predictor.models.includes(name)) return;
    const version = predictor.describe(name).version;
    if (version === monitor.version) return;
    monitor.setReference(version, registry === undefined ? undefined : await registry.profile(name, version));
  }

  #counters(): Counters {
    const metrics = this.#options.metrics;
    let requests = 0;
    let fallbacks = 0;
    for (const { labels, series } of metrics.predictions.entries()) {
      requests += series.value;
      if (labels[1] === 'fallback') fallbacks += series.value;
    }
    const bounds = metrics.latency.bounds;
    const latency = new Float64Array(bounds.length);
    let latencyCount = 0;
    for (const { series } of metrics.latency.entries()) {
      for (let i = 0; i < bounds.length; i++) latency[i]! += series.counts[i]!;
      latencyCount += series.count;
    }
    return { requests, fallbacks, events: this.#options.eventsApplied(), latency, latencyCount };
  }

  #sampleProcess(now: number): void {
    const counters = this.#counters();
    const previous = this.#previous;
    const seconds = Math.max((now - previous.at) / 1000, 1e-3);
    const requests = counters.requests - previous.requests;
    if (counters.events !== previous.events) this.#lastEventAt = now;
    // Latency quantiles of this interval only: the difference of the cumulative histograms.
    const bounds = this.#options.metrics.latency.bounds;
    const interval = counters.latency.map((count, i) => count - (previous.latency[i] ?? 0));
    const count = counters.latencyCount - previous.latencyCount;
    const process = this.#sampler.sample();
    this.#series.push(now / 1000, {
      requestsPerSecond: requests / seconds,
      eventsPerSecond: (counters.events - previous.events) / seconds,
      latencyP50Ms: histogramQuantile(0.5, bounds, interval, count) * 1000,
      latencyP99Ms: histogramQuantile(0.99, bounds, interval, count) * 1000,
      fallbackRate: requests > 0 ? (counters.fallbacks - previous.fallbacks) / requests : null,
      cpuPercent: process.cpuPercent,
      rssMb: process.rssMb,
      eventLoopLagP99Ms: process.eventLoopLagP99Ms,
      freshnessSeconds: this.#lastEventAt === null ? null : (now - this.#lastEventAt) / 1000,
    });
    this.#previous = { at: now, ...counters };
  }

  #freshnessMs(): number | null {
    return this.#lastEventAt === null ? null : this.#now() - this.#lastEventAt;
  }

  async #record(alert: AlertRecord): Promise<void> {
    this.#alerts.unshift(alert);
    if (this.#alerts.length > RECENT_ALERTS) this.#alerts.length = RECENT_ALERTS;
    const registry = this.#options.registry;
    if (registry === undefined) return;
    const detail = { ...alert, at: new Date(alert.at).toISOString() };
    try {
      await registry.record('alert', alert.model, detail);
      if (alert.action !== 'none') await registry.record('action', alert.model, { alert: alert.alert, action: alert.action, outcome: alert.outcome, at: detail.at });
    } catch (error) {
      process.stderr.write(`monitoring: cannot record alert '${alert.alert}': ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}
