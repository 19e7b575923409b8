import type { Project } from '../../features/project.js';
import { StreamEngine, type EngineProgress } from '../../engine/stream.js';
import { TandemError } from '../../errors.js';
import { decodeLoggedEvents } from '../../ingest/log-records.js';
import type { EventLog } from '../../log/event-log.js';
import { applyLoggedEvents } from '../apply-logged.js';
import type { PartitionCommit, PartitionStateStore } from '../../online/partition-store.js';

/** What a partition's checkpoint carries beside its offset. */
interface CheckpointMeta {
  readonly progress: EngineProgress;
  /** Each view's definition fingerprint: state built under other definitions is not loaded. */
  readonly fingerprints: Readonly<Record<string, string>>;
}

export interface PartitionStep {
  readonly applied: number;
  readonly rejected: number;
  /** Log records read (0: caught up). */
  readonly records: number;
}

export interface PartitionProcessorOptions {
  readonly partition: number;
  readonly store: PartitionStateStore;
  /** The partition's event log. */
  readonly log: EventLog;
  /** Who holds the partition's lease: commits are fenced by it. */
  readonly owner: string;
  readonly now?: () => number;
}

/**
 * Stream processing of one partition of the online state, kept in a shared store: loads the
 * partition's entities and checkpoint, then applies its log in micro-batches, writing the
 * changed entities, the new offset and the batch's dead letters in one atomic commit fenced by
 * the lease. A worker that dies between commits leaves the last commit, from which its
 * successor replays: every acknowledged event is applied once to the state that survives.
 */
export class PartitionProcessor {
  readonly partition: number;
  readonly engine: StreamEngine;
  readonly #options: PartitionProcessorOptions;
  #offset: number;
  #broken: TandemError | undefined;
  /**
   * The offset of the checkpoint the state extends (−1: none): each commit must follow it, so
   * commits the store lost (a Redis restart) are noticed instead of built upon.
   */
  #committed: number;
  readonly #viewSets = new Map<string, ReadonlySet<string>>();
  /** A commit whose outcome is not known yet (the store was unreachable): retried before anything else. */
  #pending: PartitionCommit | undefined;

  private constructor(engine: StreamEngine, checkpoint: number | undefined, options: PartitionProcessorOptions) {
    this.partition = options.partition;
    this.engine = engine;
    this.#offset = checkpoint ?? 0;
    this.#committed = checkpoint ?? -1;
    this.#options = options;
  }

  /** The partition's state as last committed. Call while holding its lease. */
  static async load(project: Project, options: PartitionProcessorOptions): Promise<PartitionProcessor> {
    const { store, partition } = options;
    const engine = new StreamEngine(project, { trackChanges: true });
    const checkpoint = await store.checkpoint(partition);
    if (checkpoint !== undefined) {
      const meta = checkpoint.meta as unknown as CheckpointMeta;
      const current = engine.fingerprints();
      for (const [view, fingerprint] of Object.entries(meta.fingerprints)) {
        if (current[view] !== fingerprint) {
          throw new TandemError(
            'TANDEM_USAGE',
            `partition ${partition} of the online state was built with another definition of view '${view}' (or without it); clear the state store's namespace to rebuild it from the event log`,
          );
        }
      }
      for await (const chunk of store.entities(partition)) {
        for (const entity of chunk) if (current[entity.view] !== undefined) engine.loadEntity(entity.view, entity.key, entity.state);
      }
      engine.restoreProgress(meta.progress);
      // Loading is not a change to write back.
      engine.takeChanges();
    }
    return new PartitionProcessor(engine, checkpoint?.offset, options);
  }

  /** The next log offset to apply. */
  get offset(): number {
    return this.#offset;
  }

  /** Whether a micro-batch failed half applied: the processor must be dropped and the partition reloaded. */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  /**
   * Apply one micro-batch of the partition's log and commit it. Rejects with
   * TANDEM_LEASE_LOST when the lease went to another worker or the stored checkpoint is not
   * the one this state extends (drop this processor; a new one reloads), and with
   * the store's or log's unavailability error otherwise (call again: a commit in doubt is
   * settled first).
   */
  async step(batchSize = 10_000): Promise<PartitionStep> {
    if (this.#broken !== undefined) throw this.#broken;
    if (this.#pending !== undefined) await this.#settle(this.#pending);
    const { log, partition } = this.#options;
    const records = await log.read(this.#offset, { max: batchSize });
    if (records.length === 0) return { applied: 0, rejected: 0, records: 0 };
    const engine = this.engine;
    const deadLetters: string[] = [];
    const now = (this.#options.now ?? Date.now)();
    // Decoded before any is applied: a record that is not an event stops the batch untouched.
    const events = decodeLoggedEvents(records);
    let applied: number;
    try {
      applied = applyLoggedEvents(
        engine,
        events,
        (i, { code, reason }) => {
          const { source, event } = events[i]!;
          deadLetters.push(JSON.stringify({ source, code, reason, receivedAt: now, stage: 'stream', payload: { partition, offset: records[i]!.offset, event } }));
        },
        ({ views }) => (views === undefined ? undefined : this.#viewSet(views)),
      );
    } catch (error) {
      // A failure inside the engine (rejections are dead letters) with part of the batch
      // applied: stepping again would apply that part twice and commit it. Nothing of the
      // batch is committed; the processor refuses to go on, and a reload starts from the
      // stored checkpoint.
      const message = error instanceof Error ? error.message : String(error);
      this.#broken = new TandemError(
        'TANDEM_INTERNAL',
        `partition ${partition}: stream processing failed inside the micro-batch from log offset ${this.#offset} (${message}); nothing of it is committed; reload the partition from its checkpoint`,
        { cause: error },
      );
      throw this.#broken;
    }
    this.#offset = records.at(-1)!.offset + 1;
    const commit: PartitionCommit = {
      entities: engine.takeChanges(),
      checkpoint: { offset: this.#offset, meta: { progress: engine.progress(), fingerprints: engine.fingerprints() } satisfies CheckpointMeta },
      deadLetters,
      follows: this.#committed,
    };
    await this.#settle(commit);
    return { applied, rejected: deadLetters.length, records: records.length };
  }

  /** The set of a logged event's views, made once per combination (a handful per project). */
  #viewSet(views: readonly string[]): ReadonlySet<string> {
    const id = views.join('\u0000');
    let set = this.#viewSets.get(id);
    if (set === undefined) this.#viewSets.set(id, (set = new Set(views)));
    return set;
  }

  /** Commit, or find out that an earlier attempt whose reply was lost did commit. */
  async #settle(commit: PartitionCommit): Promise<void> {
    const { store, partition, owner } = this.#options;
    this.#pending = commit;
    try {
      await store.commit(partition, owner, commit);
    } catch (error) {
      if (!(error instanceof TandemError) || error.code !== 'TANDEM_STATE_UNAVAILABLE') throw error;
      const landed = await store.checkpoint(partition).catch(() => undefined);
      if (landed?.offset !== commit.checkpoint.offset) throw error;
    }
    this.#pending = undefined;
    this.#committed = commit.checkpoint.offset;
  }
}
