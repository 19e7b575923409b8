import { TandemError } from '../errors.js';
import type { Project } from '../features/project.js';
import { StreamEngine } from '../engine/stream.js';
import { decodeDeadLetter, decodeLoggedEvents, encodeJson } from '../ingest/log-records.js';
import type { EventLog } from '../log/event-log.js';
import { applyLoggedEvents } from './apply-logged.js';
import { readSnapshot, writeSnapshot } from './snapshot-file.js';

/** The dead-letter log position each snapshot covers, as a consumer commit on that log. */
const DEAD_LETTER_CONSUMER = 'stream-snapshot';

/**
 * History is applied in batches of this many events: an entity's events of a batch are applied
 * together (StreamEngine.applyBatch), so bigger batches find more of them at once.
 */
const BOOTSTRAP_BATCH = 100_000;

export interface StreamProcessorOptions {
  readonly log: EventLog;
  readonly deadLetters: EventLog;
  readonly snapshotPath: string;
  /** Events applied per micro-batch. @default 10_000 */
  readonly batchSize?: number;
  /** Snapshot after this many events since the last one (and on stop). @default 1_000_000 */
  readonly snapshotEvery?: number;
  readonly now?: () => number;
}

export interface ProcessResult {
  readonly applied: number;
  readonly rejected: number;
  /** The next offset to process. */
  readonly offset: number;
}

/**
 * Stream processing: reads the event log in micro-batches through the engine and snapshots
 * the online state with the offset it reflects. Starting = load the last snapshot and replay
 * the log from its offset, so every acknowledged event is applied exactly once to the state
 * that survives. Events the engine rejects (too late, no key, a bad value) go to the
 * dead-letter log with the reason.
 */
export class StreamProcessor {
  readonly engine: StreamEngine;
  #offset: number;
  #sinceSnapshot = 0;
  readonly #options: StreamProcessorOptions;
  /**
   * Log offsets at or after the snapshot whose rejection is already in the dead letters: a
   * crash after writing them but before the next snapshot replays those events, and their
   * rejections must not be recorded twice.
   */
  readonly #alreadyRejected: Set<number>;
  /** Dead-letter log position covering every rejection written so far. */
  #deadLetterEnd: number;
  /** The offset of the snapshot on disk that equals the state, undefined when none does. */
  #savedOffset: number | undefined;
  /** Set when a micro-batch failed half applied: the state is no longer the log's (see step). */
  #broken: TandemError | undefined;

  private constructor(engine: StreamEngine, offset: number, options: StreamProcessorOptions, alreadyRejected: Set<number>, deadLetterEnd: number, savedOffset: number | undefined) {
    this.engine = engine;
    this.#offset = offset;
    this.#savedOffset = savedOffset;
    this.#options = options;
    this.#alreadyRejected = alreadyRejected;
    this.#deadLetterEnd = deadLetterEnd;
  }

  /** Load the last snapshot (unless `fresh`: start from an empty state, e.g. to re-seed). */
  static async start(project: Project, options: StreamProcessorOptions & { readonly fresh?: boolean }): Promise<StreamProcessor> {
    const saved = options.fresh === true ? undefined : await readSnapshot(project, options.snapshotPath);
    const engine = saved?.engine ?? new StreamEngine(project);
    const offset = saved?.meta.offset ?? 0;
    // Rejections written since the last snapshot, found from the position that snapshot recorded.
    const alreadyRejected = new Set<number>();
    let position = options.fresh === true ? options.deadLetters.nextOffset : ((await options.deadLetters.committed(DEAD_LETTER_CONSUMER)) ?? 0);
    for (;;) {
      const records = await options.deadLetters.read(position, { max: 10_000 });
      if (records.length === 0) break;
      for (const record of records) {
        const letter = decodeDeadLetter(record.payload);
        const at = (letter.payload as { offset?: unknown } | null)?.offset;
        if (letter.stage === 'stream' && typeof at === 'number' && at >= offset) alreadyRejected.add(at);
      }
      position = records.at(-1)!.offset + 1;
    }
    return new StreamProcessor(engine, offset, options, alreadyRejected, Math.max(position, options.deadLetters.firstOffset), saved === undefined ? undefined : offset);
  }

  /** The next log offset to apply. */
  get offset(): number {
    return this.#offset;
  }

  /** Apply one micro-batch; resolves with what it did (nothing when caught up). */
  async step(): Promise<ProcessResult> {
    if (this.#broken !== undefined) throw this.#broken;
    const { log, deadLetters } = this.#options;
    const records = await log.read(this.#offset, { max: this.#options.batchSize ?? 10_000 });
    let recordedBefore = 0;
    const rejected: Uint8Array[] = [];
    const now = (this.#options.now ?? Date.now)();
    // Decoded before any is applied: a record that is not an event stops the batch untouched.
    const events = decodeLoggedEvents(records);
    let applied: number;
    try {
      applied = applyLoggedEvents(this.engine, events, (i, { code, reason }) => {
        const offset = records[i]!.offset;
        if (this.#alreadyRejected.delete(offset)) recordedBefore++;
        else rejected.push(encodeJson({ source: events[i]!.source, code, reason, receivedAt: now, stage: 'stream', payload: { offset, event: events[i]!.event } }));
      });
    } catch (error) {
      // Not a rejection (those are dead letters): a failure inside the engine, with part of
      // the batch applied and the offset where it was. Applying the batch again would count
      // that part twice, and a snapshot would keep it: refuse both until a restart reloads.
      throw this.#break(error, records[0]!.offset);
    }
    if (rejected.length > 0) this.#deadLetterEnd = (await deadLetters.append(rejected)).last + 1;
    if (records.length > 0) {
      this.#offset = records.at(-1)!.offset + 1;
      this.#savedOffset = undefined;
    }
    this.#sinceSnapshot += records.length;
    if (this.#sinceSnapshot >= (this.#options.snapshotEvery ?? 1_000_000)) await this.snapshot();
    return { applied, rejected: rejected.length + recordedBefore, offset: this.#offset };
  }

  /** Apply micro-batches until the log has nothing new. */
  async catchUp(): Promise<ProcessResult> {
    let applied = 0;
    let rejected = 0;
    for (;;) {
      const result = await this.step();
      applied += result.applied;
      rejected += result.rejected;
      if (result.applied + result.rejected === 0) return { applied, rejected, offset: this.#offset };
    }
  }

  /**
   * Lambda mode: seed the state from history that the log does not hold — events of `source`
   * before those at `offset` — then continue from the log at `offset`. Applies the history
   * through the same engine in time order (arrival order for ties), so the result equals
   * having streamed it, and snapshots so a restart does not apply it twice.
   */
  async bootstrap(source: string, history: readonly Readonly<Record<string, unknown>>[], offset: number): Promise<ProcessResult> {
    const timestamp = this.engine.sourceTimestamp(source);
    const ordered = history.map((event, i) => ({ event, i })).sort((a, b) => (a.event[timestamp] as number) - (b.event[timestamp] as number) || a.i - b.i);
    let applied = 0;
    const rejected: Uint8Array[] = [];
    const now = (this.#options.now ?? Date.now)();
    for (let from = 0; from < ordered.length; from += BOOTSTRAP_BATCH) {
      const batch = ordered.slice(from, from + BOOTSTRAP_BATCH).map(({ event }) => event);
      const result = this.engine.applyBatch(source, batch);
      applied += result.applied;
      for (const { index, code, reason } of result.rejected) rejected.push(encodeJson({ source, code, reason, receivedAt: now, payload: { history: true, event: batch[index] } }));
    }
    if (rejected.length > 0) this.#deadLetterEnd = (await this.#options.deadLetters.append(rejected)).last + 1;
    this.#offset = offset;
    this.#savedOffset = undefined;
    await this.snapshot();
    return { applied, rejected: rejected.length, offset };
  }

  /** Save the state with the offset it reflects, and record it as the consumer's position. */
  async snapshot(): Promise<void> {
    if (this.#broken !== undefined) throw this.#broken;
    await writeSnapshot(this.engine, this.#options.snapshotPath, { offset: this.#offset, takenAt: (this.#options.now ?? Date.now)() });
    await this.#options.log.commit('stream', this.#offset);
    await this.#options.deadLetters.commit(DEAD_LETTER_CONSUMER, this.#deadLetterEnd);
    this.#alreadyRejected.clear();
    this.#sinceSnapshot = 0;
    this.#savedOffset = this.#offset;
  }

  /**
   * Snapshot unless the one on disk already holds this state (nothing applied since it was
   * taken or loaded): on shutdown right after a periodic snapshot, writing the same state
   * again would only add seconds to the stop. Nor after a micro-batch failed half applied
   * (see step): that state must not outlive the process. Resolves true when it wrote one.
   */
  async snapshotIfChanged(): Promise<boolean> {
    if (this.#savedOffset === this.#offset || this.#broken !== undefined) return false;
    await this.snapshot();
    return true;
  }

  /** Stop this processor for good after a batch failed half applied from `offset`. */
  #break(error: unknown, offset: number): TandemError {
    const message = error instanceof Error ? error.message : String(error);
    this.#broken = new TandemError(
      'TANDEM_INTERNAL',
      `stream processing failed inside the micro-batch from log offset ${offset} (${message}); part of it is applied, so this state is no longer the log's: restart to reload the last snapshot and replay from its offset`,
      { cause: error },
    );
    return this.#broken;
  }
}
