import { TandemError } from '../errors.js';
import type { Checkpoint, EntityRef, EntityStateWrite, PartitionCommit, PartitionStateStore, StoredDeadLetter } from './partition-store.js';
import {
  checkCommit,
  checkEntity,
  checkName,
  checkNamespace,
  checkPartition,
  checkPartitionCount,
  checkRange,
  checkTtl,
  decodeCheckpoint,
  encodeCheckpoint,
  checkpointMoved,
  leaseLost,
  partitionCountMismatch,
} from './validate.js';

export interface MemoryPartitionStoreOptions {
  readonly partitions: number;
  /** Stores of one process opened on the same namespace share its state, like Redis clients. @default 'tandem' */
  readonly namespace?: string;
  /** Entity states expire this long after their last write. @default undefined (never) */
  readonly entityTtlMs?: number;
  /** The clock TTLs are measured with (milliseconds); tests inject one to expire leases without waiting. @default Date.now */
  readonly now?: () => number;
}

interface Entry {
  readonly state: string;
  readonly expiresAt: number;
}

/** One namespace's state: what Redis would hold under its key prefix. */
interface Namespace {
  readonly partitions: number;
  /** Worker id → when its heartbeat expires. */
  readonly workers: Map<string, number>;
  readonly leases: Map<number, { readonly owner: string; readonly expiresAt: number }>;
  /** Partition → checkpoint JSON (stored as JSON so it round-trips as the Redis store's does). */
  readonly checkpoints: Map<number, string>;
  /** Partition → view → key → state. */
  readonly entities: Map<number, Map<string, Map<string, Entry>>>;
  readonly dead: string[];
}

/** The process's namespaces: the memory store's stand-in for a Redis server. */
const NAMESPACES = new Map<string, Namespace>();

const CHUNK = 1000;

/**
 * The partition state store in process memory, for one-process deployments and tests. It
 * keeps the contract of the Redis store (leases, fencing, atomic commits, TTLs) with an
 * injectable clock; its state lasts as long as the process. A commit is atomic because it
 * runs without awaiting anything.
 */
export class MemoryPartitionStore implements PartitionStateStore {
  readonly partitions: number;
  readonly #namespace: string;
  readonly #entityTtlMs: number | undefined;
  readonly #now: () => number;
  #closed = false;

  private constructor(options: MemoryPartitionStoreOptions, namespace: string) {
    this.partitions = options.partitions;
    this.#namespace = namespace;
    this.#entityTtlMs = options.entityTtlMs;
    this.#now = options.now ?? Date.now;
  }

  static async open(options: MemoryPartitionStoreOptions): Promise<MemoryPartitionStore> {
    const namespace = checkNamespace(options.namespace ?? 'tandem');
    const partitions = checkPartitionCount(options.partitions);
    if (options.entityTtlMs !== undefined) checkTtl(options.entityTtlMs, 'entityTtlMs');
    const existing = NAMESPACES.get(namespace);
    if (existing !== undefined && existing.partitions !== partitions) throw partitionCountMismatch(namespace, existing.partitions, partitions);
    const store = new MemoryPartitionStore(options, namespace);
    store.#data();
    return store;
  }

  async heartbeat(worker: string, ttlMs: number): Promise<void> {
    const data = this.#data();
    data.workers.set(checkName(worker, 'worker id'), this.#now() + checkTtl(ttlMs, 'the heartbeat TTL'));
  }

  async leave(worker: string): Promise<void> {
    this.#data().workers.delete(worker);
  }

  async workers(): Promise<string[]> {
    const data = this.#data();
    const now = this.#now();
    for (const [worker, expiresAt] of data.workers) if (expiresAt <= now) data.workers.delete(worker);
    return [...data.workers.keys()].sort();
  }

  async acquire(partition: number, owner: string, ttlMs: number): Promise<boolean> {
    const data = this.#data();
    checkPartition(partition, this.partitions);
    checkName(owner, 'lease owner');
    checkTtl(ttlMs, 'the lease TTL');
    const holder = this.#holder(data, partition);
    if (holder !== undefined && holder !== owner) return false;
    data.leases.set(partition, { owner, expiresAt: this.#now() + ttlMs });
    return true;
  }

  async renew(partition: number, owner: string, ttlMs: number): Promise<boolean> {
    const data = this.#data();
    checkPartition(partition, this.partitions);
    checkTtl(ttlMs, 'the lease TTL');
    if (this.#holder(data, partition) !== owner) return false;
    data.leases.set(partition, { owner, expiresAt: this.#now() + ttlMs });
    return true;
  }

  async release(partition: number, owner: string): Promise<void> {
    const data = this.#data();
    checkPartition(partition, this.partitions);
    if (this.#holder(data, partition) === owner) data.leases.delete(partition);
  }

  async owner(partition: number): Promise<string | undefined> {
    return this.#holder(this.#data(), checkPartition(partition, this.partitions));
  }

  async checkpoint(partition: number): Promise<Checkpoint | undefined> {
    const stored = this.#data().checkpoints.get(checkPartition(partition, this.partitions));
    return stored === undefined ? undefined : decodeCheckpoint(stored);
  }

  async *entities(partition: number): AsyncIterable<readonly EntityStateWrite[]> {
    const views = this.#data().entities.get(checkPartition(partition, this.partitions));
    if (views === undefined) return;
    let chunk: EntityStateWrite[] = [];
    for (const [view, keys] of views) {
      for (const [key, entry] of keys) {
        // Checked when the entity is reached: a chunk can wait a while for its consumer.
        if (entry.expiresAt <= this.#now()) {
          keys.delete(key);
          continue;
        }
        chunk.push({ view, key, state: entry.state });
        if (chunk.length === CHUNK) {
          yield chunk;
          chunk = [];
        }
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  async commit(partition: number, owner: string, commit: PartitionCommit): Promise<void> {
    const data = this.#data();
    checkPartition(partition, this.partitions);
    checkCommit(commit);
    const checkpoint = encodeCheckpoint(commit.checkpoint);
    const holder = this.#holder(data, partition);
    if (holder !== owner) throw leaseLost(partition, owner, holder);
    if (commit.follows !== undefined) {
      const stored = data.checkpoints.get(partition);
      const at = stored === undefined ? -1 : decodeCheckpoint(stored).offset;
      if (at !== commit.follows) throw checkpointMoved(partition, commit.follows, at);
    }
    const expiresAt = this.#entityTtlMs === undefined ? Infinity : this.#now() + this.#entityTtlMs;
    let views = data.entities.get(partition);
    if (views === undefined) data.entities.set(partition, (views = new Map()));
    for (const { view, key, state } of commit.entities) {
      let keys = views.get(view);
      if (keys === undefined) views.set(view, (keys = new Map()));
      keys.set(key, { state, expiresAt });
    }
    data.checkpoints.set(partition, checkpoint);
    for (const letter of commit.deadLetters ?? []) data.dead.push(letter);
  }

  async read(items: readonly EntityRef[]): Promise<(string | undefined)[]> {
    const data = this.#data();
    const now = this.#now();
    return items.map(({ partition, view, key }) => {
      checkPartition(partition, this.partitions);
      checkEntity(view, key);
      const entry = data.entities.get(partition)?.get(view)?.get(key);
      return entry === undefined || entry.expiresAt <= now ? undefined : entry.state;
    });
  }

  async deadLetters(from: number, max: number): Promise<StoredDeadLetter[]> {
    checkRange(from, max);
    return this.#data()
      .dead.slice(from, from + max)
      .map((letter, i) => ({ position: from + i, letter }));
  }

  async clear(): Promise<void> {
    this.#data();
    NAMESPACES.delete(this.#namespace);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** The namespace's state (re-created after a `clear`, as Redis keys are by the next write). */
  #data(): Namespace {
    if (this.#closed) throw new TandemError('TANDEM_STATE_UNAVAILABLE', `the in-memory online state store of namespace '${this.#namespace}' is closed`);
    let data = NAMESPACES.get(this.#namespace);
    if (data === undefined) {
      data = { partitions: this.partitions, workers: new Map(), leases: new Map(), checkpoints: new Map(), entities: new Map(), dead: [] };
      NAMESPACES.set(this.#namespace, data);
    }
    return data;
  }

  #holder(data: Namespace, partition: number): string | undefined {
    const lease = data.leases.get(partition);
    if (lease === undefined) return undefined;
    if (lease.expiresAt > this.#now()) return lease.owner;
    data.leases.delete(partition);
    return undefined;
  }
}
