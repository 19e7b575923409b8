import type { Worker } from 'node:worker_threads';
import { TandemError } from '../../errors.js';
import { COMMAND_DETACH, COMMAND_RUN, CONTROL, runTasks, waitForChange, type Work, type WorkerStart } from './work.js';
import { workerBeside } from '../../engine/module-source.js';

/** How long a fit waits for workers to attach (the first start compiles TypeScript under tsx). */
const ATTACH_TIMEOUT_MS = 30_000;

/**
 * Worker threads that bin the data, build histograms and partition rows (worker.ts) over shared
 * memory. `fit` is synchronous, so the caller drives them with Atomics: it offers them a work area
 * once per fit, they bin alongside it as they attach, then each batch is an epoch bump, tasks taken from a shared counter, and a wait for every
 * worker to report done. Workers are created once per process and do not keep it alive.
 */
class WorkerPool {
  readonly #workers: Worker[] = [];
  #attached: Work | undefined;
  #offered = 0;
  #attachedCount = 0;
  #broken = false;

  /** Starts workers up to `workers` without waiting: they load while the caller begins binning. */
  prepare(workers: number): void {
    while (!this.#broken && this.#workers.length < workers) {
      const worker = spawn();
      if (worker === undefined) {
        this.#broken = true;
        return;
      }
      this.#workers.push(worker);
    }
  }

  /**
   * Sends `work` to up to `workers` workers without waiting: each attaches as soon as it has
   * loaded and helps with the binning tasks left (`columns`: the raw values in shared memory;
   * undefined leaves binning to the caller).
   * Returns how many were sent (0 when workers cannot start here, in which case the caller
   * works alone, with identical results). `detach` must follow, whatever happens.
   */
  offer(work: Work, workers: number, columns: Float64Array[] | undefined): number {
    if (this.#broken || this.#attached !== undefined || workers <= 0) return 0;
    this.prepare(workers);
    const count = Math.min(workers, this.#workers.length);
    const message: WorkerStart = { work, columns };
    for (let w = 0; w < count; w++) (this.#workers[w] as Worker).postMessage(message);
    this.#attached = work;
    this.#offered = count;
    return count;
  }

  /**
   * Waits for the offered workers to attach; returns how many will run batches (0 when they did
   * not attach in time: the caller then builds alone).
   */
  attach(): number {
    const work = this.#attached;
    if (work === undefined) return 0;
    const { control } = work;
    const deadline = Date.now() + ATTACH_TIMEOUT_MS;
    for (;;) {
      const attached = Atomics.load(control, CONTROL.attached);
      if (attached >= this.#offered) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        // Workers that never attached are unusable: stop the ones that did and build alone.
        this.#broken = true;
        this.detach();
        return 0;
      }
      Atomics.wait(control, CONTROL.attached, attached, left);
    }
    this.#attachedCount = this.#offered;
    return this.#attachedCount;
  }

  /** Runs the batch described in `work` on the caller and every attached worker. */
  run(work: Work): void {
    const { control } = work;
    Atomics.store(control, CONTROL.nextTask, 0);
    Atomics.store(control, CONTROL.done, 0);
    Atomics.store(control, CONTROL.command, COMMAND_RUN);
    Atomics.add(control, CONTROL.epoch, 1);
    Atomics.notify(control, CONTROL.epoch);
    runTasks(work);
    for (;;) {
      const done = Atomics.load(control, CONTROL.done);
      if (done >= this.#attachedCount) break;
      waitForChange(control, CONTROL.done, done);
    }
    if (Atomics.load(control, CONTROL.failed) === 1) {
      throw new TandemError('TANDEM_INTERNAL', 'gbdt: a training worker failed; retry with threads: 1');
    }
  }

  /** Sends the workers back to their event loop; the work area may then be dropped. */
  detach(): void {
    const work = this.#attached;
    if (work === undefined) return;
    Atomics.store(work.control, CONTROL.command, COMMAND_DETACH);
    Atomics.add(work.control, CONTROL.epoch, 1);
    Atomics.notify(work.control, CONTROL.epoch);
    this.#attached = undefined;
    this.#offered = 0;
    this.#attachedCount = 0;
  }
}

function spawn(): Worker | undefined {
  try {
    // From the sources (tests, tsx) the worker is TypeScript too.
    const worker = workerBeside(import.meta.url, 'worker');
    worker.unref();
    // A worker that fails later only leaves the caller waiting for its attach, which times out.
    worker.on('error', () => undefined);
    return worker;
  } catch {
    return undefined;
  }
}

let pool: WorkerPool | undefined;

/** The process's training workers, created on first use. */
export function workerPool(): WorkerPool {
  pool ??= new WorkerPool();
  return pool;
}

export type { WorkerPool };

/** Below this many rows in a batch, waking the workers costs more than it saves. */
const PARALLEL_MIN_ROWS = 32_768;

/** Runs the `taskCount` tasks written to `work.tasks`: on the workers too when there are any and the batch is large. */
export function runBatch(work: Work, pool: WorkerPool | undefined, taskCount: number, rows: number): void {
  Atomics.store(work.control, CONTROL.taskCount, taskCount);
  if (pool !== undefined && rows >= PARALLEL_MIN_ROWS) {
    pool.run(work);
    return;
  }
  Atomics.store(work.control, CONTROL.nextTask, 0);
  runTasks(work);
}
