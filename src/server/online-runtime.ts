import { join } from 'node:path';
import type { Project } from '../features/project.js';
import { Ingestor, type IngestResult, type Malformed } from '../ingest/ingestor.js';
import { PiiProtector } from '../ingest/pii.js';
import { openEventLog } from '../log/open-event-log.js';
import type { Durability, EventLog } from '../log/event-log.js';
import type { StreamEngine } from '../engine/stream.js';
import type { FeatureView } from '../features/feature-view.js';
import type { PartitionStateStore } from '../online/partition-store.js';
import { PartitionRouter } from '../streaming/partitioned/partition-router.js';
import { SharedOnlineFeatures } from '../serving/shared-features.js';
import { StreamProcessor } from '../streaming/stream-processor.js';
import type { ModelRegistry } from '../registry/registry.js';
import { openRegistry } from '../registry/open-registry.js';
import { ChampionWatcher } from '../serving/champion-watcher.js';
import { loadServedModels } from '../serving/load-served-models.js';
import { applyFeedback, type FeedbackResult } from '../serving/feedback.js';
import { PredictionLog } from '../serving/prediction-log.js';
import { Predictor } from '../serving/predictor.js';
import { ServingMetrics } from '../serving/serving-metrics.js';
import type { ServedModel } from '../serving/types.js';
import type { JobStore } from '../jobs/job-store.js';
import { openJobStore } from '../jobs/open-job-store.js';
import { Scheduler } from '../jobs/scheduler.js';
import { postWebhook, type AlertActions } from '../monitoring/alerts/alert-actions.js';
import { Monitor } from '../monitoring/monitor.js';
import { rollbackChampion } from '../registry/rollback.js';
import { projectJobs, retrainJobName } from './project-jobs.js';
import { measureSkew, type SkewReport } from '../monitoring/skew.js';
import { retrainEvents } from '../training/retrain-events.js';
import { TandemError } from '../errors.js';
import { withoutFeatures } from '../features/model-serving.js';

export interface RuntimeServingOptions {
  /** Serve these versions instead of loading the champions from the registry (tests, embedding). */
  readonly models?: ReadonlyMap<string, ServedModel>;
  /** The registry to serve from. @default `openRegistry(dataDir)`: TANDEM_REGISTRY_URL, else SQLite in <dataDir>/registry */
  readonly registry?: ModelRegistry;
  /** Poll the registry this often and reload a model whose champion moved; false: never. @default 5_000 */
  readonly reloadIntervalMs?: number | false;
  /** Predictions kept in memory per model for feedback to join. @default 100_000 */
  readonly logCapacity?: number;
  /** When <dataDir>/serving/predictions.ndjson is rotated, and how many rotated files are kept (see PredictionLogOptions). */
  readonly logRotation?: { readonly rotateBytes?: number; readonly keepFiles?: number };
  /** Where jobs and their run history live. @default `openJobStore(dataDir)`, beside the registry */
  readonly jobStore?: JobStore;
  /** Run scheduled jobs (retraining, batch scoring…) in this process. @default true */
  readonly jobs?: boolean;
  /** The project file, recorded in retrained versions' lineage. */
  readonly configPath?: string;
  /** How often monitoring samples and checks alerts; false: only when `monitor.tick()` is called (a simulation's own pace). @default 5_000 */
  readonly monitorIntervalMs?: number | false;
  /** The clock of alert cooldowns (a simulation passes its event time). @default Date.now */
  readonly alertClock?: () => number;
}

export interface OnlineRuntimeOptions {
  /** Where the event log, dead letters and snapshot live. */
  readonly dataDir: string;
  /** Longest wait between micro-batches when events keep arriving. @default 50 */
  readonly maxDelayMs?: number;
  readonly batchSize?: number;
  readonly snapshotEvery?: number;
  readonly pii?: PiiProtector;
  /**
   * When an ingested event is acknowledged: 'fsync' once it is on disk (survives power loss),
   * 'os' once the operating system has it (survives a crash of this process). @default 'fsync'
   */
  readonly durability?: Durability;
  /** Predictions: served when the project defines models. */
  readonly serving?: RuntimeServingOptions;
  /**
   * Scale out: run as a stateless serving replica. Ingested events go to the partitions' logs;
   * partitioned stream workers (`tandem stream --partitions`) apply them to the shared state,
   * which reads come from. This process then runs no stream processing and no jobs.
   */
  readonly shared?: SharedStateOptions;
}

export interface SharedStateOptions {
  readonly store: PartitionStateStore;
  /** One event log per partition, `store.partitions` of them. */
  readonly logs: readonly EventLog[];
  /** Where events rejected at ingestion go. */
  readonly deadLetters: EventLog;
}

/** Where reads happen: the live state of this process, or a cache of the shared one loaded per read. */
export interface OnlineFeatures {
  readonly engine: StreamEngine;
  /** Load the entities a read needs first (a replica); absent when the engine is the live state. */
  readonly prepare?: (views: readonly FeatureView[], rows: readonly Readonly<Record<string, unknown>>[]) => Promise<void>;
  /** Events applied to the state, as of the last look. */
  eventsApplied(): number;
}

/** The audit log of predictions and feedback, in <dataDir>/serving. */
function openPredictionLog(options: OnlineRuntimeOptions): PredictionLog {
  const serving = options.serving ?? {};
  return new PredictionLog({
    path: join(options.dataDir, 'serving', 'predictions.ndjson'),
    ...(serving.logCapacity === undefined ? {} : { capacity: serving.logCapacity }),
    ...serving.logRotation,
  });
}

/**
 * Ingestion, stream processing and reads in one process: what `tandem serve` runs. Ingested
 * events are acknowledged once in the log; a loop applies the log to the online state in
 * micro-batches, woken by each ingest and at least every `maxDelayMs`.
 */
export class OnlineRuntime {
  readonly project: Project;
  /** Stream processing of this process; undefined on a replica of a shared state. */
  readonly processor: StreamProcessor | undefined;
  readonly features: OnlineFeatures;
  /** Counters of serving and HTTP, for GET /metrics. */
  readonly metrics: ServingMetrics;
  /** Predictions, when the project defines models. */
  predictor: Predictor | undefined;
  /** Predictions and feedback, in memory and in <dataDir>/serving/predictions.ndjson. */
  readonly predictionLog: PredictionLog;
  /** Drift, performance and alerts of the served models. */
  monitor: Monitor | undefined;
  /** Retraining and the project's jobs, when serving from a registry. */
  scheduler: Scheduler | undefined;
  /** The registry served from, if any. */
  registry: ModelRegistry | undefined;
  #watcher: ChampionWatcher | undefined;
  #ownRegistry: ModelRegistry | undefined;
  #ownJobStore: JobStore | undefined;
  readonly #ingestor: Ingestor;
  readonly #pii: PiiProtector;
  readonly #logs: readonly EventLog[];
  readonly #shared: SharedOnlineFeatures | undefined;
  #sharedApplied = 0;
  readonly #maxDelayMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** Processing runs one at a time, in this chain. */
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(
    project: Project,
    ingestor: Ingestor,
    state: StreamProcessor | SharedOnlineFeatures,
    logs: readonly EventLog[],
    maxDelayMs: number,
    predictionLog: PredictionLog,
    pii: PiiProtector,
  ) {
    this.#pii = pii;
    this.project = project;
    this.predictionLog = predictionLog;
    this.metrics = new ServingMetrics({
      versions: () => (this.predictor?.models ?? []).flatMap((name) => this.predictor!.versions(name)),
      inFlight: () => (this.predictor?.models ?? []).map((name) => [name, this.predictor!.describe(name).inFlight] as const),
    });
    this.#ingestor = ingestor;
    if (state instanceof SharedOnlineFeatures) {
      this.processor = undefined;
      this.#shared = state;
      this.features = { engine: state.engine, prepare: state.prepare.bind(state), eventsApplied: () => this.#sharedApplied };
    } else {
      this.processor = state;
      this.features = { engine: state.engine, eventsApplied: () => state.engine.appliedCount };
    }
    this.#logs = logs;
    this.#maxDelayMs = maxDelayMs;
  }

  /** The event log ingestion appends to (retraining, skew checks and jobs read it). */
  get eventLog(): EventLog {
    if (this.#shared !== undefined) throw new TandemError('TANDEM_USAGE', 'a serving replica of a shared state has no event log of its own: its events are split across the partitions');
    return this.#logs[0]!;
  }

  static async start(project: Project, options: OnlineRuntimeOptions): Promise<OnlineRuntime> {
    const pii = options.pii ?? PiiProtector.fromEnvironment();
    for (const source of project.sources.values()) pii.check(source);
    if (options.shared !== undefined) return OnlineRuntime.#startReplica(project, options, options.shared, pii);
    // The embedded files, or JetStream streams when TANDEM_LOG_URL names a NATS server.
    const log = await openEventLog({ dataDir: options.dataDir, name: 'events', ...(options.durability === undefined ? {} : { durability: options.durability }) });
    const deadLetters = await openEventLog({ dataDir: options.dataDir, name: 'dead-letters' });
    const processor = await StreamProcessor.start(project, {
      log,
      deadLetters,
      snapshotPath: join(options.dataDir, 'snapshot.ndjson'),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    });
    const predictionLog = openPredictionLog(options);
    const runtime = new OnlineRuntime(project, new Ingestor(project, { log, deadLetters, pii }), processor, [log, deadLetters], options.maxDelayMs ?? 50, predictionLog, pii);
    await runtime.#startServing(options);
    await processor.catchUp();
    runtime.#schedule(0);
    return runtime;
  }

  /** A stateless replica: ingestion to the partitions' logs, reads from the shared state, no jobs. */
  static async #startReplica(project: Project, options: OnlineRuntimeOptions, shared: SharedStateOptions, pii: PiiProtector): Promise<OnlineRuntime> {
    const { store, logs, deadLetters } = shared;
    const router = new PartitionRouter(project, store.partitions);
    if (logs.length !== store.partitions) throw new TandemError('TANDEM_USAGE', `${logs.length} partition logs for the state store's ${store.partitions} partitions`);
    const predictionLog = openPredictionLog(options);
    const ingestor = new Ingestor(project, { log: { router, logs }, deadLetters, pii });
    const features = new SharedOnlineFeatures(project, store);
    const runtime = new OnlineRuntime(project, ingestor, features, [...logs, deadLetters], options.maxDelayMs ?? 50, predictionLog, pii);
    await runtime.#startServing({ ...options, serving: { ...options.serving, jobs: false } });
    runtime.#schedule(0);
    return runtime;
  }

  async ingest(source: string, events: readonly unknown[], malformed: readonly Malformed[] = []): Promise<IngestResult> {
    const result = await this.#ingestor.ingest(source, events, malformed);
    if (result.accepted > 0 && this.processor !== undefined) this.#schedule(0);
    return result;
  }

  /**
   * A label for a served prediction, `{ id, label, ts? }` as `POST /v1/feedback/:model` takes
   * it: appended to the prediction log, joined to its prediction while that is still in memory,
   * learned from by an online model, counted in the performance metrics.
   */
  feedback(model: string, body: unknown, where = ''): FeedbackResult {
    if (this.predictor === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${model}': the project defines no models`);
    return applyFeedback(this.predictor, this.predictionLog, model, body, where);
  }

  /** Apply everything acknowledged so far, now (for reads that must see the latest events). */
  catchUp(): Promise<void> {
    const next = this.#chain.then(async () => {
      if (this.processor !== undefined) await this.processor.catchUp();
      else this.#sharedApplied = await this.#shared!.eventsApplied();
    });
    this.#chain = next.catch((error: unknown) => {
      process.stderr.write(`stream processing failed: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    return next;
  }

  /** Stop the loop, save a snapshot and close the logs. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.scheduler?.stop();
    await this.#ownJobStore?.close();
    await this.monitor?.stop();
    await this.#watcher?.stop();
    await this.predictor?.drainShadows();
    await this.predictionLog.close();
    await this.#ownRegistry?.close();
    await this.catchUp().catch(() => undefined);
    await this.processor?.snapshotIfChanged();
    for (const log of this.#logs) await log.close();
  }

  /** Load every model's champion (or the given versions) and, with a registry, watch for new champions. */
  async #startServing(options: OnlineRuntimeOptions): Promise<void> {
    const serving = options.serving ?? {};
    if (this.project.models.size === 0) return;
    const registry = serving.models !== undefined ? serving.registry : (serving.registry ?? (this.#ownRegistry = await openRegistry(options.dataDir)));
    this.registry = registry;
    const monitor = new Monitor({
      project: this.project,
      registry,
      metrics: this.metrics,
      eventsApplied: () => this.features.eventsApplied(),
      actions: this.#alertActions(),
      ...(serving.monitorIntervalMs === undefined ? {} : { sampleEveryMs: serving.monitorIntervalMs }),
      ...(serving.alertClock === undefined ? {} : { alertClock: serving.alertClock }),
    });
    this.monitor = monitor;
    const predictorOptions = {
      metrics: this.metrics,
      log: this.predictionLog,
      observer: { prediction: monitor.observePrediction.bind(monitor), label: monitor.observeLabel.bind(monitor) },
    };
    const models = serving.models ?? (await loadServedModels(this.project, registry!));
    const prepare = this.features.prepare;
    this.predictor = new Predictor(this.project, this.features.engine, models, prepare === undefined ? predictorOptions : { ...predictorOptions, prepare: (views, request) => prepare(views, [request]) });
    await monitor.attach(this.predictor);
    monitor.start();
    if (registry === undefined) return;
    if (serving.models === undefined) {
      const interval = serving.reloadIntervalMs ?? 5_000;
      this.#watcher = new ChampionWatcher(this.project, registry, this.predictor, interval === false ? {} : { intervalMs: interval });
      if (interval !== false) this.#watcher.start();
    }
    if (serving.jobs !== false) {
      const store = serving.jobStore ?? (this.#ownJobStore = await openJobStore(options.dataDir));
      const scheduler = new Scheduler({ store });
      for (const job of projectJobs({
        project: this.project,
        registry,
        log: this.eventLog,
        monitor,
        ...(serving.configPath === undefined ? {} : { configPath: serving.configPath }),
        feedback: (model) => this.predictionLog.feedbackLabels(model),
        protect: (source, row) => this.#pii.protect(source, row),
        onPromotion: async () => void (await this.reloadModels()),
        // A registry that says where it lives, a thread can open too: retrain there, off the event loop.
        retrainThread: true,
      })) {
        scheduler.define(job);
      }
      await scheduler.start();
      this.scheduler = scheduler;
    }
  }

  /** Training/serving skew of the latest `sample` predictions of `model` (see measureSkew). */
  async skew(model: string, sample: number): Promise<SkewReport> {
    const definition = this.project.models.get(model);
    if (definition === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${model}' (known: ${[...this.project.models.keys()].join(', ') || 'none'})`);
    // Predictions whose features could not be read have nothing to compare.
    const samples = this.predictionLog
      .recent(model, sample)
      .filter((p) => p.request !== undefined && !withoutFeatures(p.prediction.fallback?.reason))
      .map((p) => ({ id: p.prediction.id, at: p.at, request: p.request!, features: p.features }));
    await this.catchUp();
    const { events } = await retrainEvents(this.project, definition, { files: [], log: this.eventLog });
    return measureSkew(this.project, definition, samples, events);
  }

  /** What alerts do to this process: trigger the retrain job, roll back, hold on the fallback, call out. */
  #alertActions(): AlertActions {
    return {
      retrain: async (model, alert) => {
        if (this.scheduler === undefined) return 'skipped: this server runs no jobs';
        const result = await this.scheduler.trigger(retrainJobName(model), { trigger: 'alert', reason: alert });
        return result.status === 'started' ? `retrain run ${result.run.runId} started` : `retrain run ${result.run.runId} already running`;
      },
      rollback: async (model, alert) => {
        if (this.registry === undefined) return 'skipped: no registry';
        const rollback = await rollbackChampion(this.registry, model, `alert ${alert}`);
        await this.reloadModels();
        return `champion ${rollback.from} → ${rollback.to}`;
      },
      fallback: (model, alert) => {
        this.predictor?.forceFallback(model, alert);
        return alert === undefined ? 'the model answers again' : 'the fallback chain answers';
      },
      webhook: postWebhook,
    };
  }

  /** Reload models whose champion alias moved, now (the watcher also does it on its own). */
  async reloadModels(): Promise<string[]> {
    return (await this.#watcher?.check()) ?? [];
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      void this.catchUp()
        .catch(() => undefined)
        // A replica only refreshes its count of applied events: once a second is plenty.
        .finally(() => this.#schedule(this.#shared === undefined ? this.#maxDelayMs : 1_000));
    }, delay);
    this.#timer.unref();
  }
}
