/**
 * The event log: an append-only sequence of records with increasing offsets, read from any
 * retained offset, with named consumers that commit how far they have processed. Ingestion
 * appends; stream processing reads and commits. An event is acknowledged only once `append`
 * resolves, and readers never see a record before it is acknowledged, so state built from the
 * log can always be rebuilt from it.
 *
 * Offsets start at 0 and increase by one per record; a backend whose native sequence differs
 * (JetStream starts at 1) maps it.
 */
export interface EventLog {
  /**
   * Append payloads as consecutive records. Resolves with their offsets once they are durable
   * as the log's durability says; rejects if they could not be written (on a backend that can
   * store part of an append, the error says which; see `AppendOptions.ids`).
   */
  append(payloads: readonly Uint8Array[], options?: AppendOptions): Promise<AppendResult>;
  /** Acknowledged records with offset ≥ `from`, in offset order (from the first retained one if `from` is older). */
  read(from: number, options?: LogReadOptions): Promise<LogRecord[]>;
  /** The offset the next appended record will get. */
  readonly nextOffset: number;
  /** The first offset still retained; retention removes older records. */
  readonly firstOffset: number;
  /** Record that `consumer` has processed every record before `offset` (the next one it needs). */
  commit(consumer: string, offset: number): Promise<void>;
  /** The consumer's committed offset, or undefined if it never committed. */
  committed(consumer: string): Promise<number | undefined>;
  /** Apply the retention policy now (backends also apply it as they go). */
  applyRetention(): Promise<RetentionResult>;
  /** Finish pending appends and release the log. */
  close(): Promise<void>;
}

export interface AppendOptions {
  /**
   * One id per payload (undefined for none). A backend that recognises repeats (JetStream,
   * within its duplicate window of 2 minutes) stores a payload whose id it has seen only once,
   * so re-sending an append that failed part-way stores nothing twice. The embedded log, which
   * stores an append whole or not at all, has no use for them and ignores them.
   */
  readonly ids?: readonly (string | undefined)[];
}

export interface LogRecord {
  readonly offset: number;
  /** When the record was appended (epoch ms). */
  readonly appendedAt: number;
  readonly payload: Uint8Array;
}

export interface AppendResult {
  /** Offset of the first record appended, and of the last; `first > last` for an empty append. */
  readonly first: number;
  readonly last: number;
  /** Indexes of the payloads the log recognised by their id (`AppendOptions.ids`) as stored before, and did not store again. */
  readonly repeats?: readonly number[];
}

export interface LogReadOptions {
  /** At most this many records. @default 10_000 */
  readonly max?: number;
  /** At most this many payload bytes, but always at least one record. @default 16 MiB */
  readonly maxBytes?: number;
}

/**
 * When `append` resolves: `fsync` once the records are on disk (fsyncs of concurrent appends
 * are shared, so throughput stays high); `os` once the operating system has them, which
 * survives a crash of the process but not of the machine.
 */
export type Durability = 'fsync' | 'os';

export interface RetentionPolicy {
  /** Drop records older than this (whole segments at a time). @default unlimited */
  readonly maxAgeMs?: number;
  /** Drop the oldest records while the log is larger than this (whole segments). @default unlimited */
  readonly maxBytes?: number;
}

export interface RetentionResult {
  readonly removedRecords: number;
  readonly removedBytes: number;
}
