import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Project } from '../../features/project.js';
import { TandemError } from '../../errors.js';
import type { EventLog } from '../../log/event-log.js';
import type { PartitionStateStore } from '../../online/partition-store.js';
import { PartitionProcessor } from './partition-processor.js';

export interface StreamWorkerOptions {
  readonly store: PartitionStateStore;
  /** The event log of a partition (opened once per partition this worker takes). */
  readonly openLog: (partition: number) => Promise<EventLog>;
  /** This worker's id among the live ones. @default host, process id and a random suffix */
  readonly id?: string;
  /** How long a lease or a heartbeat lasts without renewal: a dead worker's partitions move after this. @default 5_000 */
  readonly leaseMs?: number;
  /** How often the worker renews, and looks at who else is alive. @default leaseMs / 5 */
  readonly heartbeatMs?: number;
  /** Events applied per micro-batch and partition. @default 10_000 */
  readonly batchSize?: number;
  /** Longest wait for new events when every partition is caught up. @default 50 */
  readonly maxDelayMs?: number;
  /** Where problems are reported (an unreachable store or log, a lost lease). @default stderr */
  readonly report?: (message: string) => void;
}

export interface StreamWorkerStatus {
  readonly id: string;
  readonly partitions: readonly number[];
  readonly applied: number;
  readonly rejected: number;
}

/** Rendezvous (highest random weight) hashing: each partition goes to the live worker weighing most for it. */
export function assignPartitions(workers: readonly string[], partitions: number): Map<string, number[]> {
  const out = new Map<string, number[]>(workers.map((w) => [w, []]));
  for (let p = 0; p < partitions; p++) {
    let best: string | undefined;
    let bestWeight = -1n;
    for (const worker of workers) {
      const weight = createHash('sha256').update(`${worker}\u0000${p}`).digest().readBigUInt64BE(0);
      if (weight > bestWeight || (weight === bestWeight && worker < best!)) [best, bestWeight] = [worker, weight];
    }
    if (best !== undefined) out.get(best)!.push(p);
  }
  return out;
}

/**
 * One of several stream processes sharing the partitions of the online state. Every
 * heartbeat it announces itself, reads who else is alive, and works out by rendezvous
 * hashing which partitions are its own: it releases those that now belong to another worker
 * (after committing what it applied), and takes those that are its own once their lease is
 * free — at once when the previous owner released it, after the lease runs out when that
 * owner died. Between heartbeats it applies each of its partitions' logs in micro-batches.
 * A worker joining or leaving moves only the partitions that change hands.
 */
export class PartitionedStreamWorker {
  readonly id: string;
  readonly #project: Project;
  readonly #options: StreamWorkerOptions;
  readonly #owned = new Map<number, PartitionProcessor>();
  readonly #logs = new Map<number, EventLog>();
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  #applied = 0;
  #rejected = 0;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #lastTick = -Infinity;
  /** The partitions the last heartbeat found to be this worker's. */
  #mine: ReadonlySet<number> = new Set();
  /** The last problem reported, so an outage is reported once, not every heartbeat. */
  #lastProblem = '';

  constructor(project: Project, options: StreamWorkerOptions) {
    this.#project = project;
    this.#options = options;
    this.id = options.id ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#leaseMs = options.leaseMs ?? 5_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(this.#leaseMs / 5));
  }

  /** Start working in the background (see `stop`). */
  start(): this {
    this.#loop ??= this.#run();
    return this;
  }

  status(): StreamWorkerStatus {
    return { id: this.id, partitions: [...this.#owned.keys()].sort((a, b) => a - b), applied: this.#applied, rejected: this.#rejected };
  }

  /**
   * Apply what this worker's partitions' logs hold now, then return (one-shot runs, tests).
   * Partitions that are its own but still held by another live worker are waited for (that
   * worker hands them over at its next heartbeat), at most two lease lengths.
   */
  async drain(): Promise<void> {
    await this.#tick();
    const deadline = performance.now() + 2 * this.#leaseMs;
    for (;;) {
      const read = await this.#pass();
      if (read > 0) continue;
      if ([...this.#mine].every((p) => this.#owned.has(p)) || performance.now() > deadline) return;
      await sleep(this.#heartbeatMs);
      await this.#tick();
    }
  }

  /** One micro-batch of each owned partition, renewing leases whenever a heartbeat is due; the records read. */
  async #pass(): Promise<number> {
    let read = 0;
    for (const processor of [...this.#owned.values()]) {
      if (this.#stopping) break;
      if (performance.now() - this.#lastTick >= this.#heartbeatMs) await this.#tick();
      if (this.#owned.get(processor.partition) === processor) read += await this.#step(processor);
    }
    return read;
  }

  /** Finish the current micro-batch, release every partition and leave, so others take over at once. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#loop;
    const { store } = this.#options;
    for (const partition of this.#owned.keys()) await store.release(partition, this.id).catch(() => undefined);
    this.#owned.clear();
    await store.leave(this.id).catch(() => undefined);
    for (const log of this.#logs.values()) await log.close();
    this.#logs.clear();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let read: number;
      try {
        if (performance.now() - this.#lastTick >= this.#heartbeatMs) await this.#tick();
        read = await this.#pass();
      } catch (error) {
        this.#problem(error);
        read = 0;
      }
      if (read === 0 && !this.#stopping) await sleep(this.#owned.size === 0 ? this.#heartbeatMs : (this.#options.maxDelayMs ?? 50));
    }
  }

  /** Announce, renew, release and take partitions as the live workers say. */
  async #tick(): Promise<void> {
    this.#lastTick = performance.now();
    const { store } = this.#options;
    await store.heartbeat(this.id, this.#leaseMs);
    const workers = await store.workers();
    const mine = new Set(assignPartitions(workers.includes(this.id) ? workers : [...workers, this.id], store.partitions).get(this.id));
    this.#mine = mine;
    for (const partition of [...this.#owned.keys()]) {
      if (!mine.has(partition)) {
        this.#owned.delete(partition);
        await store.release(partition, this.id);
      } else if (!(await store.renew(partition, this.id, this.#leaseMs))) {
        this.#owned.delete(partition);
        this.#say(`worker ${this.id}: lost the lease of partition ${partition} (it ran out, or another worker took it); dropping it`);
      }
    }
    for (const partition of mine) {
      if (this.#owned.has(partition)) continue;
      if (!(await store.acquire(partition, this.id, this.#leaseMs))) continue;
      try {
        const log = this.#logs.get(partition) ?? (await this.#options.openLog(partition));
        this.#logs.set(partition, log);
        this.#owned.set(partition, await PartitionProcessor.load(this.#project, { partition, store, log, owner: this.id }));
      } catch (error) {
        await store.release(partition, this.id).catch(() => undefined);
        throw error;
      }
      // Loading a large partition takes a while: keep the others' leases (and this one's) alive.
      await store.heartbeat(this.id, this.#leaseMs);
      for (const owned of [...this.#owned.keys()]) {
        if (!(await store.renew(owned, this.id, this.#leaseMs))) this.#owned.delete(owned);
      }
    }
    this.#lastProblem = '';
  }

  async #step(processor: PartitionProcessor): Promise<number> {
    try {
      const step = await processor.step(this.#options.batchSize ?? 10_000);
      this.#applied += step.applied;
      this.#rejected += step.rejected;
      return step.records;
    } catch (error) {
      if (error instanceof TandemError && error.code === 'TANDEM_LEASE_LOST') {
        this.#owned.delete(processor.partition);
        this.#say(`worker ${this.id}: lost partition ${processor.partition}: ${error.message}`);
        return 0;
      }
      if (processor.broken) {
        // Its state holds part of an uncommitted batch: drop it; the next tick loads the
        // partition again from the stored checkpoint.
        this.#owned.delete(processor.partition);
        await this.#options.store.release(processor.partition, this.id).catch(() => undefined);
        this.#say(`worker ${this.id}: ${error instanceof Error ? error.message : String(error)}; reloading it`);
        return 0;
      }
      throw error;
    }
  }

  #problem(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.#lastProblem) return;
    this.#lastProblem = message;
    this.#say(`worker ${this.id}: ${message}; retrying`);
  }

  #say(message: string): void {
    if (this.#options.report !== undefined) this.#options.report(message);
    else process.stderr.write(`${message}\n`);
  }
}
