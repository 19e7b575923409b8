import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TandemError } from '../errors.js';
import type { WindowPlan } from './plan.js';
import type { SortedEvents, SortedSpine } from './sweep.js';
import type { FeatureOutputs } from './window-state.js';
import { runsFromTypeScript } from './module-source.js';

/** What a worker needs to sweep one window: plain data and typed arrays over shared memory. */
export interface SweepTask {
  readonly id: number;
  readonly latenessMs: number;
  readonly window: WindowPlan;
  readonly times: Float64Array;
  readonly num: readonly (Float64Array | undefined)[];
  readonly starts: Uint32Array;
  readonly spineTimes: Float64Array;
  readonly spineStarts: Uint32Array;
  readonly out: readonly (Float64Array | undefined)[];
}

interface Pending {
  readonly task: SweepTask;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Worker threads that run `sweepWindow` (sweep-worker.ts). Created once per process and kept:
 * starting a worker costs tens of milliseconds (more when TypeScript is compiled on the fly).
 * Idle workers do not keep the process alive.
 */
class SweepPool {
  readonly #idle: Worker[] = [];
  readonly #queue: Pending[] = [];
  readonly #running = new Map<Worker, Pending>();
  #nextId = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.#idle.push(this.#spawn());
  }

  sweep(latenessMs: number, window: WindowPlan, events: SortedEvents, spine: SortedSpine, out: FeatureOutputs): Promise<void> {
    const task: SweepTask = {
      id: this.#nextId++,
      latenessMs,
      window,
      times: events.times,
      num: events.num,
      starts: events.starts,
      spineTimes: spine.times,
      spineStarts: spine.starts,
      out: out.num,
    };
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!;
      const pending = this.#queue.shift()!;
      this.#running.set(worker, pending);
      worker.ref();
      worker.postMessage(pending.task);
    }
  }

  #spawn(): Worker {
    const worker = runsFromTypeScript(import.meta.url)
      ? // From the sources (tests, tsx) the worker is TypeScript too: register tsx's loader
        // in the worker first, then load it.
        new Worker(
          `require(${JSON.stringify(fileURLToPath(import.meta.resolve('tsx/esm/api')))}).register();` +
            `import(${JSON.stringify(new URL('./sweep-worker.ts', import.meta.url).href)});`,
          { eval: true },
        )
      : new Worker(new URL('./sweep-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (message: { id: number; error?: string }) => {
      const pending = this.#running.get(worker);
      this.#running.delete(worker);
      worker.unref();
      this.#idle.push(worker);
      if (pending !== undefined) {
        if (message.error === undefined) pending.resolve();
        else pending.reject(new TandemError('TANDEM_USAGE', `backfill worker failed: ${message.error}`));
      }
      this.#dispatch();
    });
    worker.on('error', (error) => {
      const pending = this.#running.get(worker);
      this.#running.delete(worker);
      pending?.reject(error);
      // Replace the dead worker so the pool keeps its size.
      this.#idle.push(this.#spawn());
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
