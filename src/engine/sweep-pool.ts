import type { Worker } from 'node:worker_threads';
import { TandemError } from '../errors.js';
import type { Placement } from './placement.js';
import type { WindowPlan } from './plan.js';
import type { SortedEvents, SortedSpine } from './sweep.js';
import type { FeatureOutputs } from './window-state.js';
import { workerBeside } from './module-source.js';

/** What a worker needs for one task: plain data and typed arrays over shared memory. */
export type SweepTask = (SweepWork | PermuteWork | RangeWork | TouchWork | CollectWork) & { readonly id: number };

/** The sorted columns of a view and the windows to sweep over entity groups [fromKey, toKey). */
interface SweepInput {
  readonly windows: readonly WindowPlan[];
  readonly fromKey: number;
  readonly toKey: number;
  readonly times: Float64Array;
  readonly num: readonly (Float64Array | undefined)[];
  readonly starts: Uint32Array;
  readonly spineTimes: Float64Array;
  readonly spineStarts: Uint32Array;
}

/** One window for `sweepWindow`, or several for one `sweepFused` over the input's entity range. */
export interface SweepWork extends SweepInput {
  readonly kind: 'sweep';
  readonly fused: boolean;
  readonly out: readonly (Float64Array | undefined)[];
}

/**
 * A view's backfill over columns already in grouped order, with nothing in between to wait
 * for, in chunks of entity groups [chunks[c], chunks[c + 1]) that the workers given the task
 * claim one at a time (`claimed`: the next chunk's number, in shared memory): each chunk's
 * fused sweep, then its part of each feature moved to row order. Chunks write disjoint array
 * elements.
 */
export interface RangeWork extends Omit<SweepInput, 'fromKey' | 'toKey'> {
  readonly kind: 'range';
  readonly chunks: Uint32Array;
  readonly claimed: Int32Array;
  /** Features in grouped order, then each moved to `out` at rows[i] for the chunk's spine positions. */
  readonly grouped: readonly (Float64Array | undefined)[];
  readonly rows: Uint32Array;
  readonly out: readonly (Float64Array | undefined)[];
  /**
   * The view's rows and columns still to be put in grouped order (placement.ts): the first
   * worker to get here does it, the others wait for it before they sweep.
   */
  readonly placement?: Placement;
}

/**
 * Fresh shared memory faulted in ahead of its first use: each 4 KiB page of `arrays` written
 * once, by an atomic `or` of 0, which leaves any value another thread writes meanwhile alone.
 */
export interface TouchWork {
  readonly kind: 'touch';
  readonly arrays: readonly Float64Array[];
}

/**
 * A garbage collection in the worker. Every task brings its arrays as new handles on the
 * shared memory, and the worker, allocating little, may not collect for many backfills: until
 * it does, its handles keep every earlier result's columns alive after the caller let them go
 * (array buffers of 2.4 GB after ten backfills of 3M rows instead of 1.0 GB; bench/README.md).
 */
export interface CollectWork {
  readonly kind: 'collect';
}

/** Features from grouped order to row order: to[rows[i]] = from[i]. */
export interface PermuteWork {
  readonly kind: 'permute';
  readonly from: Float64Array;
  readonly rows: Uint32Array;
  readonly to: Float64Array;
}

interface Pending {
  readonly task: SweepTask;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Worker threads that run `sweepWindow`, `sweepFused` and output permutations (sweep-worker.ts).
 * Created once per process and kept: starting a worker costs tens of milliseconds (more when TypeScript is compiled on the fly).
 * Idle workers do not keep the process alive.
 */
class SweepPool {
  readonly #workers: Worker[] = [];
  readonly #queue: Pending[] = [];
  /** Each worker's tasks sent and not yet answered, oldest first (a worker runs them in order). */
  readonly #running = new Map<Worker, Pending[]>();
  #nextId = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.#workers.push(this.#spawn());
  }

  /** `sweepWindow` for one window. */
  sweep(window: WindowPlan, events: SortedEvents, spine: SortedSpine, out: FeatureOutputs): Promise<void> {
    return this.#run([window], false, 0, spine.starts.length - 1, events, spine, out);
  }

  /** `sweepFused` for entity groups [fromKey, toKey). */
  sweepFused(windows: readonly WindowPlan[], fromKey: number, toKey: number, events: SortedEvents, spine: SortedSpine, out: FeatureOutputs): Promise<void> {
    return this.#run(windows, true, fromKey, toKey, events, spine, out);
  }

  /** Move a feature to row order (`permute` of view-job.ts); all three arrays in shared memory. */
  permute(from: Float64Array, rows: Uint32Array, to: Float64Array): Promise<void> {
    return this.#post({ kind: 'permute', from, rows, to });
  }

  #run(
    windows: readonly WindowPlan[],
    fused: boolean,
    fromKey: number,
    toKey: number,
    events: SortedEvents,
    spine: SortedSpine,
    out: FeatureOutputs,
  ): Promise<void> {
    return this.#post({
      kind: 'sweep',
      windows,
      fused,
      fromKey,
      toKey,
      times: events.times,
      num: events.num,
      starts: events.starts,
      spineTimes: spine.times,
      spineStarts: spine.starts,
      out: out.num,
    });
  }

  /**
   * A view's backfill in chunks (`RangeWork`; every array in shared memory), sent at once to
   * each of the first `workers` workers, which run it after the tasks they already have and
   * share its chunks. Tasks sent to a worker need no reply to this thread to start, so they
   * run back to back while this thread is busy with other work.
   */
  range(work: Omit<RangeWork, 'kind'>, workers: number): Promise<void> {
    const task: RangeWork = { kind: 'range', ...work };
    return Promise.all(this.#workers.slice(0, Math.max(1, workers)).map((worker) => this.#post(task, worker))).then(() => undefined);
  }

  /** `TouchWork` on the `worker`th worker, after the tasks it already has. */
  touch(arrays: readonly Float64Array[], worker: number): Promise<void> {
    return this.#post({ kind: 'touch', arrays }, this.#workers[worker % this.#workers.length]);
  }

  /** `CollectWork` on every worker, after the tasks each already has. */
  collect(): Promise<void> {
    return Promise.all(this.#workers.map((worker) => this.#post({ kind: 'collect' }, worker))).then(() => undefined);
  }

  #post(work: SweepWork | PermuteWork | RangeWork | TouchWork | CollectWork, worker?: Worker): Promise<void> {
    const task: SweepTask = { ...work, id: this.#nextId++ };
    return new Promise((resolve, reject) => {
      if (worker === undefined) {
        this.#queue.push({ task, resolve, reject });
        this.#dispatch();
      } else {
        this.#send(worker, { task, resolve, reject });
      }
    });
  }

  #send(worker: Worker, pending: Pending): void {
    let tasks = this.#running.get(worker);
    if (tasks === undefined) this.#running.set(worker, (tasks = []));
    tasks.push(pending);
    worker.ref();
    worker.postMessage(pending.task);
  }

  /** Queued tasks to workers with nothing to do. */
  #dispatch(): void {
    for (const worker of this.#workers) {
      if (this.#queue.length === 0) return;
      if ((this.#running.get(worker)?.length ?? 0) === 0) this.#send(worker, this.#queue.shift()!);
    }
  }

  #spawn(): Worker {
    // From the sources (tests, tsx) the worker is TypeScript too.
    const worker = workerBeside(import.meta.url, 'sweep-worker');
    worker.unref();
    worker.on('message', (message: { id: number; error?: string }) => {
      const tasks = this.#running.get(worker);
      const pending = tasks?.shift();
      if (tasks === undefined || tasks.length === 0) worker.unref();
      if (pending !== undefined) {
        if (message.error === undefined) pending.resolve();
        else pending.reject(new TandemError('TANDEM_USAGE', `backfill worker failed: ${message.error}`));
      }
      this.#dispatch();
    });
    worker.on('error', (error) => {
      const tasks = this.#running.get(worker) ?? [];
      this.#running.delete(worker);
      for (const pending of tasks) pending.reject(error);
      // Replace the dead worker so the pool keeps its size.
      const at = this.#workers.indexOf(worker);
      if (at >= 0) this.#workers[at] = this.#spawn();
      this.#dispatch();
    });
    return worker;
  }
}

let pool: SweepPool | undefined;

/** The process's pool of sweep workers, created on first use. */
export function sweepPool(size: number): SweepPool {
  pool ??= new SweepPool(size);
  return pool;
}
