import { Redis } from 'ioredis';
import { TandemError } from '../../errors.js';
import type { Checkpoint, EntityRef, EntityStateWrite, PartitionCommit, PartitionStateStore, StoredDeadLetter } from '../partition-store.js';
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
} from '../validate.js';
import { LAYOUT, RedisKeys } from './redis-keys.js';
import { ACQUIRE, COMMIT, HEARTBEAT, RELEASE, RENEW, WORKERS, type LuaScript } from './redis-scripts.js';

/** Entity keys read per MGET by `entities`. */
const CHUNK = 1000;

export interface RedisPartitionStoreOptions {
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  readonly url: string;
  /** Prefix of every key (letters, digits, '_', '.', '-'); one namespace per deployment. @default 'tandem' */
  readonly namespace?: string;
  readonly partitions: number;
  /**
   * Entity states expire this long after their last write: idle entities are forgotten. Make
   * it longer than the longest window; lifetime aggregates of an entity idle that long restart
   * from nothing (as Feast's TTL). @default undefined (never)
   */
  readonly entityTtlMs?: number;
  /**
   * How long a command may wait for Redis before it rejects with TANDEM_STATE_UNAVAILABLE;
   * also the connect timeout. Must exceed the time of the largest commit. @default 1000
   */
  readonly commandTimeoutMs?: number;
  /** Keys SCAN looks at per step of `entities` (and `clear`). @default 1000 */
  readonly scanCount?: number;
}

/**
 * The partition state store on Redis 7 (one server, or a primary with replicas; not Redis
 * Cluster: a commit's keys and a `read`'s keys span hash slots). Layout in redis-keys.ts.
 *
 * Outages: the client fails fast instead of queueing. Commands issued while disconnected
 * reject at once (no offline queue, which would grow without bound while Redis is away), and a
 * command already sent rejects after `commandTimeoutMs`. Commands are never sent again after a
 * reconnect (a resent commit could record its dead letters twice); the caller retries. The
 * client keeps reconnecting in the background (every ≤ 1 s), so the store works again as soon
 * as Redis is back, without being reopened.
 */
export class RedisPartitionStore implements PartitionStateStore {
  readonly partitions: number;
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #entityTtl: string;
  readonly #scanCount: number;
  /** Where the store points, without a password, for error messages. */
  readonly #where: string;
  #closed = false;

  private constructor(redis: Redis, options: RedisPartitionStoreOptions, namespace: string) {
    this.partitions = options.partitions;
    this.#redis = redis;
    this.#keys = new RedisKeys(namespace);
    this.#entityTtl = options.entityTtlMs === undefined ? '' : String(options.entityTtlMs);
    this.#scanCount = options.scanCount ?? 1000;
    this.#where = `${redact(options.url)} (namespace '${namespace}')`;
  }

  /**
   * Connect and check the namespace's partition count (recording it on first use). Rejects
   * with TANDEM_STATE_UNAVAILABLE when Redis cannot be reached within the command timeout.
   */
  static async open(options: RedisPartitionStoreOptions): Promise<RedisPartitionStore> {
    const namespace = checkNamespace(options.namespace ?? 'tandem');
    const partitions = checkPartitionCount(options.partitions);
    if (!/^rediss?:\/\//.test(options.url)) throw new TandemError('TANDEM_USAGE', `the online state URL must start with redis:// or rediss://, got '${redact(options.url)}'`);
    if (options.entityTtlMs !== undefined) checkTtl(options.entityTtlMs, 'entityTtlMs');
    const timeout = checkTtl(options.commandTimeoutMs ?? 1000, 'commandTimeoutMs');
    if (options.scanCount !== undefined && (!Number.isInteger(options.scanCount) || options.scanCount < 1)) {
      throw new TandemError('TANDEM_USAGE', `scanCount must be a positive integer, got ${String(options.scanCount)}`);
    }
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeout,
      connectTimeout: timeout,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    });
    // Connection errors surface as rejected commands; without a listener ioredis would log each retry.
    redis.on('error', () => {});
    const store = new RedisPartitionStore(redis, options, namespace);
    try {
      const connecting = redis.connect();
      connecting.catch(() => {}); // it may still fail after the timeout won the race
      await withTimeout(connecting, timeout);
      const stored = (await redis.call('SET', store.#keys.meta, JSON.stringify({ partitions, layout: LAYOUT }), 'NX', 'GET')) as string | null;
      if (stored !== null) {
        const meta = JSON.parse(stored) as { partitions: number; layout: number };
        if (meta.layout !== LAYOUT) {
          throw new TandemError('TANDEM_USAGE', `online state namespace '${namespace}' has key layout ${meta.layout}, this version reads layout ${LAYOUT}: clear it or use another namespace`);
        }
        if (meta.partitions !== partitions) throw partitionCountMismatch(namespace, meta.partitions, partitions);
      }
    } catch (cause) {
      redis.disconnect();
      throw cause instanceof TandemError ? cause : store.#unavailable('connecting', cause);
    }
    return store;
  }

  async heartbeat(worker: string, ttlMs: number): Promise<void> {
    checkName(worker, 'worker id');
    checkTtl(ttlMs, 'the heartbeat TTL');
    await this.#script('recording a heartbeat', HEARTBEAT, [this.#keys.workers], [worker, ttlMs]);
  }

  async leave(worker: string): Promise<void> {
    await this.#run('removing a worker', (redis) => redis.zrem(this.#keys.workers, worker));
  }

  async workers(): Promise<string[]> {
    const workers = (await this.#script('listing workers', WORKERS, [this.#keys.workers], [])) as string[];
    return workers.sort();
  }

  async acquire(partition: number, owner: string, ttlMs: number): Promise<boolean> {
    checkPartition(partition, this.partitions);
    checkName(owner, 'lease owner');
    checkTtl(ttlMs, 'the lease TTL');
    return (await this.#script(`acquiring the lease of partition ${partition}`, ACQUIRE, [this.#keys.lease(partition)], [owner, ttlMs])) === 1;
  }

  async renew(partition: number, owner: string, ttlMs: number): Promise<boolean> {
    checkPartition(partition, this.partitions);
    checkTtl(ttlMs, 'the lease TTL');
    return (await this.#script(`renewing the lease of partition ${partition}`, RENEW, [this.#keys.lease(partition)], [owner, ttlMs])) === 1;
  }

  async release(partition: number, owner: string): Promise<void> {
    checkPartition(partition, this.partitions);
    await this.#script(`releasing the lease of partition ${partition}`, RELEASE, [this.#keys.lease(partition)], [owner]);
  }

  async owner(partition: number): Promise<string | undefined> {
    checkPartition(partition, this.partitions);
    return (await this.#run(`reading the lease of partition ${partition}`, (redis) => redis.get(this.#keys.lease(partition)))) ?? undefined;
  }

  async checkpoint(partition: number): Promise<Checkpoint | undefined> {
    checkPartition(partition, this.partitions);
    const stored = await this.#run(`reading the checkpoint of partition ${partition}`, (redis) => redis.get(this.#keys.checkpoint(partition)));
    return stored === null ? undefined : decodeCheckpoint(stored);
  }

  /**
   * SCAN over the partition's key pattern; the keys found are read by one MGET per thousand.
   * SCAN may return a key twice (when Redis resizes its table meanwhile), so keys are
   * remembered for the iteration; a key that expires between SCAN and MGET is skipped. SCAN
   * walks the whole database, whatever the pattern: its cost grows with every key in it, not
   * only this partition's (measured: ~0.8 s for one of 16 partitions of 500 000 entities).
   */
  async *entities(partition: number): AsyncIterable<readonly EntityStateWrite[]> {
    checkPartition(partition, this.partitions);
    const pattern = this.#keys.entityPattern(partition);
    const seen = new Set<string>();
    let pending: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.#run(`listing the entities of partition ${partition}`, (redis) =>
        redis.scan(cursor, 'MATCH', pattern, 'COUNT', this.#scanCount),
      );
      cursor = next;
      for (const key of found) {
        if (seen.has(key)) continue;
        seen.add(key);
        pending.push(key);
      }
      if (pending.length < CHUNK && cursor !== '0') continue;
      const keys = pending;
      pending = [];
      if (keys.length === 0) continue;
      const states = await this.#run(`reading the entities of partition ${partition}`, (redis) => redis.mget(keys));
      const chunk: EntityStateWrite[] = [];
      for (const [i, key] of keys.entries()) {
        const state = states[i];
        if (state !== null && state !== undefined) chunk.push({ ...this.#keys.parseEntity(partition, key), state });
      }
      if (chunk.length > 0) yield chunk;
    } while (cursor !== '0');
  }

  async commit(partition: number, owner: string, commit: PartitionCommit): Promise<void> {
    checkPartition(partition, this.partitions);
    checkCommit(commit);
    const dead = commit.deadLetters ?? [];
    const keys = [this.#keys.lease(partition), this.#keys.checkpoint(partition), this.#keys.dead];
    const args: (string | number)[] = [owner, this.#entityTtl, encodeCheckpoint(commit.checkpoint), commit.follows ?? '', dead.length];
    for (const letter of dead) args.push(letter);
    for (const { view, key, state } of commit.entities) {
      keys.push(this.#keys.entity(partition, view, key));
      args.push(state);
    }
    const reply = await this.#script(`committing partition ${partition}`, COMMIT, keys, args);
    if (reply !== 1) {
      const [kind, found] = reply as [number, string | number];
      if (kind === 2) throw checkpointMoved(partition, commit.follows!, Number(found));
      throw leaseLost(partition, owner, found === '' ? undefined : String(found));
    }
  }

  async read(items: readonly EntityRef[]): Promise<(string | undefined)[]> {
    const keys = items.map(({ partition, view, key }) => {
      checkPartition(partition, this.partitions);
      checkEntity(view, key);
      return this.#keys.entity(partition, view, key);
    });
    if (keys.length === 0) return [];
    const states = await this.#run('reading entity states', (redis) => redis.mget(keys));
    return states.map((state) => state ?? undefined);
  }

  async deadLetters(from: number, max: number): Promise<StoredDeadLetter[]> {
    checkRange(from, max);
    const letters = await this.#run('reading dead letters', (redis) => redis.lrange(this.#keys.dead, from, from + max - 1));
    return letters.map((letter, i) => ({ position: from + i, letter }));
  }

  /** SCAN and UNLINK every key of the namespace (not atomic: stop the workers first). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#run('clearing the namespace', (redis) => redis.scan(cursor, 'MATCH', this.#keys.all, 'COUNT', this.#scanCount));
      cursor = next;
      if (keys.length > 0) await this.#run('clearing the namespace', (redis) => redis.unlink(keys));
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // QUIT waits for replies still due; when Redis is away there are none to wait for.
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => this.#redis.disconnect());
    else this.#redis.disconnect();
  }

  /** Run a script by its SHA, sending its text when Redis does not have it cached. */
  async #script(what: string, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const rest: (string | number)[] = [keys.length];
    for (const key of keys) rest.push(key);
    for (const arg of args) rest.push(arg);
    return this.#run(what, async (redis) => {
      try {
        return await redis.call('EVALSHA', [script.sha, ...rest]);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return redis.call('EVAL', [script.lua, ...rest]);
      }
    });
  }

  /** Run commands, turning any failure of Redis into TANDEM_STATE_UNAVAILABLE. */
  async #run<T>(what: string, command: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.#closed) throw new TandemError('TANDEM_STATE_UNAVAILABLE', `the online state store at ${this.#where} is closed`);
    try {
      return await command(this.#redis);
    } catch (cause) {
      throw this.#unavailable(what, cause);
    }
  }

  #unavailable(what: string, cause: unknown): TandemError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new TandemError('TANDEM_STATE_UNAVAILABLE', `the online state store at ${this.#where} cannot be reached (${what}): ${reason}`, { cause });
  }
}

/** The URL without its password. */
function redact(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** `promise`, or a rejection after `ms` (ioredis's connect has no timeout of its own for every path). */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
