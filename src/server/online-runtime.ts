import { join } from 'node:path';
import type { Project } from '../features/project.js';
import { Ingestor, type IngestResult, type Malformed } from '../ingest/ingestor.js';
import { PiiProtector } from '../ingest/pii.js';
import { FileEventLog } from '../log/file/file-event-log.js';
import type { Durability } from '../log/event-log.js';
import { StreamProcessor } from '../streaming/stream-processor.js';
import type { ModelRegistry } from '../registry/registry.js';
import { openRegistry } from '../registry/open-registry.js';
import { ChampionWatcher } from '../serving/champion-watcher.js';
import { loadServedModels } from '../serving/load-served-models.js';
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

export interface RuntimeServingOptions {
  /** Serve these versions instead of loading the champions from the registry (tests, embedding). */
  readonly models?: ReadonlyMap<string, ServedModel>;
  /** The registry to serve from. @default `openRegistry(dataDir)`: TANDEM_REGISTRY_URL, else SQLite in <dataDir>/registry */
  readonly registry?: ModelRegistry;
  /** Poll the registry this often and reload a model whose champion moved; false: never. @default 5_000 */
  readonly reloadIntervalMs?: number | false;
  /** Predictions kept in memory per model for feedback to join. @default 100_000 */
  readonly logCapacity?: number;
  /** Where jobs and their run history live. @default `openJobStore(dataDir)`, beside the registry */
  readonly jobStore?: JobStore;
  /** Run scheduled jobs (retraining, batch scoring…) in this process. @default true */
  readonly jobs?: boolean;
  /** The project file, recorded in retrained versions' lineage. */
  readonly configPath?: string;
  /** How often monitoring samples and checks alerts. @default 5_000 */
  readonly monitorIntervalMs?: number;
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
}

/**
 * Ingestion, stream processing and reads in one process: what `tandem serve` runs. Ingested
 * events are acknowledged once in the log; a loop applies the log to the online state in
 * micro-batches, woken by each ingest and at least every `maxDelayMs`.
 */
export class OnlineRuntime {
  readonly project: Project;
  readonly processor: StreamProcessor;
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
  readonly #logs: readonly FileEventLog[];
  readonly #maxDelayMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** Processing runs one at a time, in this chain. */
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(project: Project, ingestor: Ingestor, processor: StreamProcessor, logs: readonly FileEventLog[], maxDelayMs: number, predictionLog: PredictionLog, pii: PiiProtector) {
    this.#pii = pii;
    this.project = project;
    this.predictionLog = predictionLog;
    this.metrics = new ServingMetrics({
      versions: () => (this.predictor?.models ?? []).flatMap((name) => this.predictor!.versions(name)),
      inFlight: () => (this.predictor?.models ?? []).map((name) => [name, this.predictor!.describe(name).inFlight] as const),
    });
    this.#ingestor = ingestor;
    this.processor = processor;
    this.#logs = logs;
    this.#maxDelayMs = maxDelayMs;
  }

  /** The event log ingestion appends to (retraining, skew checks and jobs read it). */
  get eventLog(): FileEventLog {
    return this.#logs[0]!;
  }

  static async start(project: Project, options: OnlineRuntimeOptions): Promise<OnlineRuntime> {
    const pii = options.pii ?? PiiProtector.fromEnvironment();
    for (const source of project.sources.values()) pii.check(source);
    const log = await FileEventLog.open(join(options.dataDir, 'events'), options.durability === undefined ? {} : { durability: options.durability });
    const deadLetters = await FileEventLog.open(join(options.dataDir, 'dead-letters'));
    const processor = await StreamProcessor.start(project, {
      log,
      deadLetters,
      snapshotPath: join(options.dataDir, 'snapshot.ndjson'),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    });
    const predictionLog = new PredictionLog({ path: join(options.dataDir, 'serving', 'predictions.ndjson'), ...(options.serving?.logCapacity === undefined ? {} : { capacity: options.serving.logCapacity }) });
    const runtime = new OnlineRuntime(project, new Ingestor(project, { log, deadLetters, pii }), processor, [log, deadLetters], options.maxDelayMs ?? 50, predictionLog, pii);
    await runtime.#startServing(options);
    await processor.catchUp();
    runtime.#schedule(0);
    return runtime;
  }

  async ingest(source: string, events: readonly unknown[], malformed: readonly Malformed[] = []): Promise<IngestResult> {
    const result = await this.#ingestor.ingest(source, events, malformed);
    if (result.accepted > 0) this.#schedule(0);
    return result;
  }

  /** Apply everything acknowledged so far, now (for reads that must see the latest events). */
  catchUp(): Promise<void> {
    const next = this.#chain.then(async () => {
      await this.processor.catchUp();
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
    await this.catchUp();
    await this.processor.snapshot();
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
      eventsApplied: () => this.processor.engine.appliedCount,
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
    this.predictor = new Predictor(this.project, this.processor.engine, models, predictorOptions);
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
      .filter((p) => p.request !== undefined && p.prediction.fallback?.reason !== 'feature-error')
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
        .finally(() => this.#schedule(this.#maxDelayMs));
    }, delay);
    this.#timer.unref();
  }
}
