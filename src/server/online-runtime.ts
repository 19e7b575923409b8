import { join } from 'node:path';
import type { Project } from '../features/project.js';
import { Ingestor, type IngestResult, type Malformed } from '../ingest/ingestor.js';
import { PiiProtector } from '../ingest/pii.js';
import { FileEventLog } from '../log/file/file-event-log.js';
import { StreamProcessor } from '../streaming/stream-processor.js';

export interface OnlineRuntimeOptions {
  /** Where the event log, dead letters and snapshot live. */
  readonly dataDir: string;
  /** Longest wait between micro-batches when events keep arriving. @default 50 */
  readonly maxDelayMs?: number;
  readonly batchSize?: number;
  readonly snapshotEvery?: number;
  readonly pii?: PiiProtector;
}

/**
 * Ingestion, stream processing and reads in one process: what `tandem serve` runs. Ingested
 * events are acknowledged once in the log; a loop applies the log to the online state in
 * micro-batches, woken by each ingest and at least every `maxDelayMs`.
 */
export class OnlineRuntime {
  readonly project: Project;
  readonly processor: StreamProcessor;
  readonly #ingestor: Ingestor;
  readonly #logs: readonly FileEventLog[];
  readonly #maxDelayMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** Processing runs one at a time, in this chain. */
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(project: Project, ingestor: Ingestor, processor: StreamProcessor, logs: readonly FileEventLog[], maxDelayMs: number) {
    this.project = project;
    this.#ingestor = ingestor;
    this.processor = processor;
    this.#logs = logs;
    this.#maxDelayMs = maxDelayMs;
  }

  static async start(project: Project, options: OnlineRuntimeOptions): Promise<OnlineRuntime> {
    const pii = options.pii ?? PiiProtector.fromEnvironment();
    for (const source of project.sources.values()) pii.check(source);
    const log = await FileEventLog.open(join(options.dataDir, 'events'));
    const deadLetters = await FileEventLog.open(join(options.dataDir, 'dead-letters'));
    const processor = await StreamProcessor.start(project, {
      log,
      deadLetters,
      snapshotPath: join(options.dataDir, 'snapshot.ndjson'),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    });
    const runtime = new OnlineRuntime(project, new Ingestor(project, { log, deadLetters, pii }), processor, [log, deadLetters], options.maxDelayMs ?? 50);
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
    await this.catchUp();
    await this.processor.snapshot();
    for (const log of this.#logs) await log.close();
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
