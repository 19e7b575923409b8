import { StorageType, connect, headers, type JetStreamManager, type KV, type MsgHdrs, type NatsConnection, type StreamState } from 'nats';
import { TandemError, quote } from '../../errors.js';
import type { AppendOptions, AppendResult, EventLog, LogReadOptions, LogRecord, RetentionPolicy, RetentionResult } from '../event-log.js';
import { ConnectionWatch, unavailable } from './connection-watch.js';
import { Publisher, type PublishOutcome } from './publisher.js';
import { APPENDED_AT_HEADER, StreamReader } from './stream-reader.js';
import { checkStreamName, consumerBucket, ensureStream, recordSubject } from './stream-setup.js';

export interface JetStreamEventLogOptions {
  /** The NATS server(s), e.g. `nats://127.0.0.1:4222`. Not needed when `connection` is given. */
  readonly servers?: string | readonly string[];
  /** A connection to share; the log neither closes it nor changes its reconnect settings. */
  readonly connection?: NatsConnection;
  /** The JetStream stream of the log (letters, digits, '_', '-'); created if missing. */
  readonly stream: string;
  /**
   * Set as the stream's `max_age` and `max_bytes`, which JetStream applies itself. Omitted: an
   * existing stream keeps its limits, a new one has none.
   */
  readonly retention?: RetentionPolicy;
  /**
   * A clock of the log's own for record times and retention by age. Records then carry its time
   * in a `Tandem-Appended-At` header. @default JetStream's: the time the server stored the record
   */
  readonly now?: () => number;
  /**
   * How long an append, read or commit waits for the server, through a reconnect, before it
   * rejects with TANDEM_LOG_UNAVAILABLE; for an append, how long without any acknowledgement.
   * @default 5_000
   */
  readonly timeoutMs?: number;
}

/** `ids` are sent as `Nats-Msg-Id`, which JetStream recognises within the stream's duplicate window. */
export type JetStreamAppendOptions = AppendOptions;

export interface JetStreamAppendResult extends AppendResult {
  /** When the append gave ids: the payloads JetStream recognised as repeats and did not store again. */
  readonly duplicates?: number;
}

interface QueuedAppend {
  readonly payloads: readonly Uint8Array[];
  readonly ids: readonly (string | undefined)[] | undefined;
  readonly timer: NodeJS.Timeout;
  resolve(result: JetStreamAppendResult): void;
  reject(error: unknown): void;
}

const CONSUMER = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_READERS = 4;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The event log on a NATS JetStream stream, for several processes or machines sharing one log.
 *
 * - Offsets are stream sequences minus one (JetStream counts from 1). Records are published on
 *   the subject `tandem.log.<stream>`.
 * - `append` publishes every payload without waiting in between and resolves once JetStream has
 *   acknowledged each (PubAck). The file store has written a record to its block file, i.e. to
 *   the operating system, before it acknowledges, so an acknowledged record survives a crash of
 *   the server process. It reaches the disk at the server's next background fsync (about once a
 *   minute on NATS 2.9; every 2 minutes by default from 2.10, where `sync_interval` sets it), so
 *   a crash of the machine can lose the last ones, unless the server runs with
 *   `jetstream { sync_interval: always }` (2.10 and later) or the stream has replicas.
 * - An append is not atomic: if it rejects, some of its records may be stored; the error says
 *   which were acknowledged. The records of one process's appends are consecutive, in call
 *   order; appends from several processes at the same moment may interleave.
 * - Consumer offsets live in the key-value bucket `<stream>_consumers`, one key per consumer.
 * - The client reconnects forever; a call waits at most `timeoutMs` for the server and then
 *   rejects with TANDEM_LOG_UNAVAILABLE. Once the server is back, the same log carries on.
 */
export class JetStreamEventLog implements EventLog {
  readonly stream: string;
  readonly #connection: NatsConnection;
  readonly #ownsConnection: boolean;
  readonly #jsm: JetStreamManager;
  readonly #kv: KV;
  readonly #watch: ConnectionWatch;
  readonly #publisher: Publisher;
  readonly #readers: StreamReader[] = [];
  readonly #retention: RetentionPolicy;
  readonly #ownClock: (() => number) | undefined;
  readonly #timeoutMs: number;
  #next: number;
  #first: number;
  /** The stream's state when retention was last looked at, to tell what JetStream removed since. */
  #counted: StreamState;
  readonly #queue: QueuedAppend[] = [];
  #waitingForConnection = false;
  readonly #pending = new Set<Promise<unknown>>();
  #appendsStarted = 0;
  #closed = false;

  private constructor(connection: NatsConnection, ownsConnection: boolean, jsm: JetStreamManager, kv: KV, state: StreamState, options: JetStreamEventLogOptions) {
    this.stream = options.stream;
    this.#connection = connection;
    this.#ownsConnection = ownsConnection;
    this.#jsm = jsm;
    this.#kv = kv;
    this.#retention = options.retention ?? {};
    this.#ownClock = options.now;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#watch = new ConnectionWatch(connection);
    this.#publisher = new Publisher(connection, recordSubject(this.stream), this.#timeoutMs);
    this.#next = state.last_seq;
    this.#first = firstOffsetOf(state);
    this.#counted = state;
  }

  /** Connect (unless given a connection), find or create the stream and the consumers' bucket. */
  static async open(options: JetStreamEventLogOptions): Promise<JetStreamEventLog> {
    const { stream } = options;
    checkStreamName(stream);
    const timeoutMs = options.timeoutMs ?? 5_000;
    if (!(timeoutMs > 0)) throw new TandemError('TANDEM_USAGE', `event log '${stream}': timeoutMs must be a positive number of milliseconds, not ${quote(timeoutMs)}`);
    let connection = options.connection;
    if (connection === undefined) {
      if (options.servers === undefined) throw new TandemError('TANDEM_USAGE', `event log '${stream}': give the NATS servers (e.g. nats://127.0.0.1:4222) or a connection`);
      const servers = typeof options.servers === 'string' ? options.servers : [...options.servers];
      try {
        connection = await connect({ servers, name: `tandem event log ${stream}`, maxReconnectAttempts: -1, reconnectTimeWait: 500, timeout: timeoutMs });
      } catch (error) {
        throw unavailable(stream, `cannot connect to ${quote(servers)}`, error);
      }
    }
    try {
      const jsm = await connection.jetstreamManager({ timeout: timeoutMs });
      const info = await ensureStream(jsm, stream, options.retention);
      const kv = await connection.jetstream({ timeout: timeoutMs }).views.kv(consumerBucket(stream), { history: 1, storage: StorageType.File });
      return new JetStreamEventLog(connection, options.connection === undefined, jsm, kv, info.state, options);
    } catch (error) {
      if (options.connection === undefined) await connection.close();
      throw error instanceof TandemError ? error : unavailable(stream, 'cannot open the stream', error);
    }
  }

  get nextOffset(): number {
    return this.#next;
  }

  get firstOffset(): number {
    return this.#first;
  }

  append(payloads: readonly Uint8Array[], options: JetStreamAppendOptions = {}): Promise<JetStreamAppendResult> {
    this.#open();
    const { ids } = options;
    if (ids !== undefined && ids.length !== payloads.length) {
      throw new TandemError('TANDEM_USAGE', `event log '${this.stream}': ${ids.length} ids for ${payloads.length} payloads; give one per payload (undefined for none)`);
    }
    const limit = this.#connection.info?.max_payload ?? Infinity;
    const tooBig = payloads.findIndex((p) => p.byteLength > limit);
    if (tooBig >= 0) {
      throw new TandemError('TANDEM_USAGE', `event log '${this.stream}': payload ${tooBig} has ${payloads[tooBig]!.byteLength} bytes; the NATS server takes at most ${limit} per message (max_payload)`);
    }
    if (payloads.length === 0) return Promise.resolve({ first: this.#next, last: this.#next - 1 });
    this.#appendsStarted++;
    const appended = new Promise<JetStreamAppendResult>((resolve, reject) => {
      const queued: QueuedAppend = {
        payloads,
        ids,
        resolve,
        reject,
        timer: setTimeout(() => {
          const at = this.#queue.indexOf(queued);
          if (at < 0) return;
          this.#queue.splice(at, 1);
          reject(unavailable(this.stream, `append of ${payloads.length} records: not connected for ${this.#timeoutMs} ms, so none was sent`));
        }, this.#timeoutMs),
      };
      this.#queue.push(queued);
    });
    this.#track(appended);
    this.#send();
    return appended;
  }

  /** Publish queued appends in call order once connected; each append's records go out back to back. */
  #send(): void {
    if (!this.#watch.up) {
      if (!this.#waitingForConnection) {
        this.#waitingForConnection = true;
        void this.#watch.whenUp().then(() => {
          this.#waitingForConnection = false;
          this.#send();
        });
      }
      return;
    }
    for (const queued of this.#queue.splice(0)) {
      clearTimeout(queued.timer);
      const now = this.#ownClock?.();
      const headersOf = (i: number): MsgHdrs | undefined => {
        const id = queued.ids?.[i];
        if (now === undefined && id === undefined) return undefined;
        const h = headers();
        if (now !== undefined) h.set(APPENDED_AT_HEADER, String(now));
        if (id !== undefined) h.set('Nats-Msg-Id', id);
        return h;
      };
      void this.#publisher.publish(queued.payloads, headersOf).then((outcome) => this.#settle(queued, outcome));
    }
  }

  #settle(queued: QueuedAppend, outcome: PublishOutcome): void {
    // The sequences of the records this append stored (not its repeats), lowest and highest.
    let stored = 0;
    let lowest = Infinity;
    let highest = 0;
    for (const [i, sequence] of outcome.sequences.entries()) {
      if (sequence === undefined || outcome.duplicates.has(i)) continue;
      stored++;
      if (sequence < lowest) lowest = sequence;
      if (sequence > highest) highest = sequence;
    }
    if (highest > this.#next) this.#next = highest;
    if (outcome.failures.size > 0) {
      queued.reject(this.#appendError(queued.payloads.length, outcome, { stored, lowest, highest }));
      return;
    }
    const offsets = stored === 0 ? { first: this.#next, last: this.#next - 1 } : { first: lowest - 1, last: highest - 1 };
    queued.resolve(queued.ids === undefined ? offsets : { ...offsets, duplicates: outcome.duplicates.size, repeats: [...outcome.duplicates].sort((a, b) => a - b) });
  }

  #appendError(count: number, outcome: PublishOutcome, { stored, lowest, highest }: { stored: number; lowest: number; highest: number }): TandemError {
    const missing = [...outcome.failures.keys()].sort((a, b) => a - b);
    const reasons = [...new Set(outcome.failures.values())].join('; ');
    const storedPart = stored === 0
      ? 'none was acknowledged'
      : `the other ${stored} are stored (offsets ${lowest - 1}–${highest - 1}), and a retry stores them again unless the append passes ids`;
    return unavailable(
      this.stream,
      `append of ${count} records: ${missing.length} not acknowledged (${describeIndexes(missing)}: ${reasons}) and not counted as stored, though JetStream may hold some; ${storedPart}`,
      undefined,
      { offsets: outcome.sequences.map((s) => (s === undefined ? null : s - 1)), notAcknowledged: missing },
    );
  }

  read(from: number, options: LogReadOptions = {}): Promise<LogRecord[]> {
    this.#open();
    if (!Number.isSafeInteger(from)) return Promise.reject(new TandemError('TANDEM_USAGE', `event log '${this.stream}': cannot read from offset ${quote(from)}; offsets are whole numbers`));
    return this.#read(Math.max(0, from), options.max ?? 10_000, options.maxBytes ?? 16 * 1024 * 1024);
  }

  async #read(from: number, max: number, maxBytes: number): Promise<LogRecord[]> {
    const deadline = Date.now() + this.#timeoutMs;
    if (from >= this.#next) await this.#refresh(deadline);
    const end = this.#next;
    if (from >= end) return [];
    const start = Math.max(from, this.#first);
    const records = await this.#readerAt(start).read(start, { end, max, maxBytes, deadline });
    // The consumer skipped what retention removed: the first record returned is the first retained.
    if (records.length > 0 && records[0]!.offset > start) this.#first = records[0]!.offset;
    return records;
  }

  /** A reader positioned at `from` if one is free, else a new one, else the least busy. */
  #readerAt(from: number): StreamReader {
    const free = this.#readers.filter((r) => !r.busy);
    const reader = free.find((r) => r.position === from)
      ?? (this.#readers.length < MAX_READERS ? undefined : free[0] ?? this.#readers.find((r) => r.position === from) ?? this.#readers[0]);
    if (reader !== undefined) return reader;
    const created = new StreamReader(this.#connection, this.#jsm, this.stream, this.#watch);
    this.#readers.push(created);
    return created;
  }

  async commit(consumer: string, offset: number): Promise<void> {
    this.#open();
    checkConsumer(consumer);
    const deadline = Date.now() + this.#timeoutMs;
    if (Number.isInteger(offset) && offset > this.#next) await this.#refresh(deadline);
    if (!Number.isInteger(offset) || offset < 0 || offset > this.#next) {
      throw new TandemError('TANDEM_USAGE', `consumer '${consumer}' cannot commit offset ${quote(offset)}: offsets run from 0 to ${this.#next}`);
    }
    await this.#call(deadline, `committing offset ${offset} for consumer '${consumer}'`, () => this.#kv.put(keyOf(consumer), encoder.encode(JSON.stringify({ offset }))));
  }

  async committed(consumer: string): Promise<number | undefined> {
    this.#open();
    checkConsumer(consumer);
    const entry = await this.#call(Date.now() + this.#timeoutMs, `reading the offset of consumer '${consumer}'`, () => this.#kv.get(keyOf(consumer)));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    return (JSON.parse(decoder.decode(entry.value)) as { offset: number }).offset;
  }

  /**
   * JetStream applies the size and age limits itself as records arrive and age. This drops now
   * the records older than the age limit by the log's clock, then reports what left the stream
   * since the log was opened or this was last called. JetStream counts records, not the bytes of
   * those it removed, so `removedBytes` is estimated from the stream's mean record size.
   */
  async applyRetention(): Promise<RetentionResult> {
    this.#open();
    const deadline = Date.now() + this.#timeoutMs;
    const { maxAgeMs } = this.#retention;
    if (maxAgeMs !== undefined) await this.#dropOlderThan((this.#ownClock ?? Date.now)() - maxAgeMs, deadline);
    const before = this.#counted;
    const after = await this.#refresh(deadline);
    this.#counted = after;
    const removedRecords = Math.max(0, before.messages + (after.last_seq - before.last_seq) - after.messages);
    const meanBytes = before.messages > 0 ? before.bytes / before.messages : after.messages > 0 ? after.bytes / after.messages : 0;
    return { removedRecords, removedBytes: Math.round(removedRecords * meanBytes) };
  }

  /** Purge the records before the first one appended at or after `cutoff` (found by bisection). */
  async #dropOlderThan(cutoff: number, deadline: number): Promise<void> {
    const { first_seq: firstSeq, last_seq: lastSeq, messages } = (await this.#refresh(deadline));
    if (messages === 0) return;
    let lo = firstSeq;
    let hi = lastSeq + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const appendedAt = await this.#appendedAtOf(mid, deadline);
      if (appendedAt === undefined || appendedAt < cutoff) lo = mid + 1;
      else hi = mid;
    }
    if (lo > firstSeq) await this.#call(deadline, `removing records older than ${new Date(cutoff).toISOString()}`, () => this.#jsm.streams.purge(this.stream, { seq: lo }));
  }

  /** When the record at `sequence` was appended; undefined if retention removed it meanwhile. */
  async #appendedAtOf(sequence: number, deadline: number): Promise<number | undefined> {
    const message = await this.#call(deadline, `reading record ${sequence - 1}`, () => this.#jsm.streams.getMessage(this.stream, { seq: sequence }).catch((error: unknown) => {
      if ((error as { api_error?: { err_code?: number } }).api_error?.err_code === 10037) return undefined; // no message found
      throw error;
    }));
    if (message === undefined) return undefined;
    const header = message.header.get(APPENDED_AT_HEADER);
    return header ? Number(header) : message.time.getTime();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#pending]);
    await Promise.allSettled(this.#readers.map((r) => r.close()));
    this.#publisher.close();
    this.#watch.stop();
    if (this.#ownsConnection) await this.#connection.close();
  }

  /**
   * Bring the offsets up to the stream's state. Records of other processes are acknowledged
   * once stored; while this process has an append in flight the end is left to its acks, so a
   * reader here never sees records of an append that has not resolved.
   */
  async #refresh(deadline: number): Promise<StreamState> {
    const started = this.#appendsStarted;
    const quiet = this.#pending.size === 0;
    const { state } = await this.#call(deadline, 'reading the stream state', () => this.#jsm.streams.info(this.stream));
    this.#first = firstOffsetOf(state);
    if (quiet && this.#pending.size === 0 && started === this.#appendsStarted && state.last_seq > this.#next) this.#next = state.last_seq;
    return state;
  }

  /** Run one request once connected; failures become TANDEM_LOG_UNAVAILABLE. */
  async #call<T>(deadline: number, what: string, run: () => Promise<T>): Promise<T> {
    if (!(await this.#watch.whenUp(deadline))) throw unavailable(this.stream, `${what}: not connected for ${this.#timeoutMs} ms`);
    try {
      return await run();
    } catch (error) {
      throw unavailable(this.stream, what, error);
    }
  }

  #track(promise: Promise<unknown>): void {
    const settled = promise.then(() => undefined, () => undefined);
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
  }

  #open(): void {
    if (this.#closed) throw new TandemError('TANDEM_LOG_CLOSED', `event log '${this.stream}' (NATS JetStream) is closed`);
  }
}

/** JetStream's first sequence is 0 for a stream that never held a record, else the first retained one. */
function firstOffsetOf(state: StreamState): number {
  return state.first_seq === 0 ? 0 : state.first_seq - 1;
}

function checkConsumer(consumer: string): void {
  if (!CONSUMER.test(consumer)) {
    throw new TandemError('TANDEM_USAGE', `consumer name ${quote(consumer)} is invalid; use up to 128 letters, digits, '_', '.' or '-'`);
  }
}

/** Key-value keys are dot-separated tokens that cannot be empty, so dots are written as `=2E`. */
function keyOf(consumer: string): string {
  return consumer.replaceAll('.', '=2E');
}

/** Payload positions for a message, as ranges: `records 0–2, 7 of the append`. */
function describeIndexes(indexes: readonly number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    ranges.push(i === j ? `${indexes[i]}` : `${indexes[i]}–${indexes[j]}`);
    i = j + 1;
  }
  const shown = ranges.length > 5 ? [...ranges.slice(0, 5), `and ${ranges.length - 5} more ranges`] : ranges;
  return `${indexes.length === 1 ? 'record' : 'records'} ${shown.join(', ')} of the append`;
}
