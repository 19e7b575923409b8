/**
 * The online feature state, split into partitions by entity key (see `partitionOf`), shared by
 * the stream workers that write it and the serving replicas that read it.
 *
 * Exactly-once: a worker owns a partition through a lease, rebuilds its state from
 * `checkpoint` + `entities`, replays the event log from the checkpoint's offset, and writes
 * every changed entity together with the new checkpoint in one atomic, fenced `commit`. A
 * worker presumed dead whose lease another worker took over can no longer commit, so it
 * cannot overwrite its successor's work.
 */

/** One entity's serialized state in one view, as the engine produced it (opaque here). */
export interface EntityStateWrite {
  readonly view: string;
  /** The entity key; any string that is well-formed Unicode (stored as UTF-8). */
  readonly key: string;
  /** The engine's JSON for the entity; stored and returned byte for byte, never parsed. */
  readonly state: string;
}

/** How far a partition's state has got. */
export interface Checkpoint {
  /** The next event-log offset the state does not reflect (a non-negative integer). */
  readonly offset: number;
  /** The engine's progress beside its entities (watermarks, counters); must survive JSON. */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** What one atomic step of a partition's owner writes. */
export interface PartitionCommit {
  /** Changed entities; a later write of the same (view, key) in one commit wins. */
  readonly entities: readonly EntityStateWrite[];
  readonly checkpoint: Checkpoint;
  /** Dead letters (opaque JSON strings) recorded in the same atomic step. */
  readonly deadLetters?: readonly string[];
  /**
   * The offset of the checkpoint this commit continues from (−1: the partition had none).
   * When given, a commit finding another stored checkpoint writes nothing and rejects with
   * TANDEM_LEASE_LOST: the store lost commits (a Redis restart without persistence of the last
   * writes) or someone else wrote, and the writer's state no longer extends the stored one.
   */
  readonly follows?: number;
}

/** Where one entity's state lives, for `read`. */
export interface EntityRef {
  /** `partitionOf(entity name, key, store.partitions)`; the caller knows the view's entity. */
  readonly partition: number;
  readonly view: string;
  readonly key: string;
}

/** A dead letter with its position in the store's dead-letter list. */
export interface StoredDeadLetter {
  /** 0 for the first letter recorded after the namespace was created or cleared. */
  readonly position: number;
  readonly letter: string;
}

/**
 * Partitioned online state with leases. Every method rejects with `TANDEM_STATE_UNAVAILABLE`
 * when the backend cannot be reached (within the backend's command timeout, never hanging),
 * and with `TANDEM_USAGE` for a partition outside 0 … partitions − 1 or a TTL that is not a
 * positive integer.
 *
 * Times: TTLs are measured by the backend's clock (Redis's, or the memory store's `now`), so
 * workers on machines whose clocks disagree still agree on who holds a lease.
 */
export interface PartitionStateStore {
  /**
   * How many partitions the namespace is split into. Fixed when the namespace is first
   * opened: opening it with another count fails with `TANDEM_USAGE`, since every entity's
   * partition depends on it. `clear()` frees the namespace for another count.
   */
  readonly partitions: number;

  /** Announce that `worker` is alive for `ttlMs` from now (call again well within it). */
  heartbeat(worker: string, ttlMs: number): Promise<void>;
  /** Withdraw `worker` at once (a clean shutdown), instead of waiting for its TTL to run out. */
  leave(worker: string): Promise<void>;
  /** The workers whose last heartbeat has not expired, sorted by id. */
  workers(): Promise<string[]>;

  /**
   * Take the partition's lease if it is free (never taken, released or expired) or already
   * `owner`'s; true when `owner` now holds it, for `ttlMs` from now. False, changing nothing,
   * while another owner's lease runs.
   */
  acquire(partition: number, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * Extend `owner`'s lease to `ttlMs` from now; false when `owner` no longer holds it (it
   * expired or another owner took it): the caller must stop writing the partition and reload
   * its state before acquiring it again.
   */
  renew(partition: number, owner: string, ttlMs: number): Promise<boolean>;
  /** Give the lease up if `owner` holds it (another owner's lease is left alone). */
  release(partition: number, owner: string): Promise<void>;
  /** Who holds the partition's lease now; undefined when nobody does. */
  owner(partition: number): Promise<string | undefined>;

  /** The last committed checkpoint; undefined before the partition's first commit. */
  checkpoint(partition: number): Promise<Checkpoint | undefined>;
  /**
   * Every entity state of the partition, in chunks of about a thousand, in no particular order,
   * each (view, key) once, with its last committed state. Read it while holding the lease:
   * only then does no other commit change the partition meanwhile. Entities whose TTL ran
   * out are absent.
   */
  entities(partition: number): AsyncIterable<readonly EntityStateWrite[]>;
  /**
   * Write all of `commit` in one atomic step, only if `owner` holds the partition's lease at
   * that moment: every entity state, the checkpoint and the dead letters, or nothing. A commit
   * by anyone else (including an owner whose lease expired, taken over or not) rejects with
   * `TANDEM_LEASE_LOST` and writes nothing. Does not extend the lease.
   *
   * A rejection with `TANDEM_STATE_UNAVAILABLE` leaves the outcome unknown (the reply may be
   * what was lost): read `checkpoint()` to tell, since it is written in the same step.
   */
  commit(partition: number, owner: string, commit: PartitionCommit): Promise<void>;
  /**
   * Entity states for serving, in one round trip to the backend for all `items`, in their
   * order; undefined where an entity has no state (never seen, or its TTL ran out).
   */
  read(items: readonly EntityRef[]): Promise<(string | undefined)[]>;

  /** Up to `max` dead letters recorded by commits, oldest first, from position `from`. */
  deadLetters(from: number, max: number): Promise<StoredDeadLetter[]>;

  /** Remove everything in this namespace: state, checkpoints, leases, workers, dead letters, the partition count. */
  clear(): Promise<void>;
  /** Let go of the connection; later calls reject with `TANDEM_STATE_UNAVAILABLE`. */
  close(): Promise<void>;
}
