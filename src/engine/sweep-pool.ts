import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TandemError } from '../errors.js';
import type { WindowPlan } from './plan.js';
import type { SortedEvents, SortedSpine } from './sweep.js';
import type { FeatureOutputs } from './window-state.js';
import { runsFromTypeScript } from './module-source.js';

/** What a worker needs for one task: plain data and typed arrays over shared memory. */
export type SweepTask = (SweepWork | PermuteWork | RangeWork) & { readonly id: number };

/** The sorted columns of a view and the windows to sweep over entity groups [fromKey, toKey). */
interface SweepInput {
  readonly latenessMs: number;
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
 * A view's whole backfill for entity groups [fromKey, toKey), with nothing in between to wait
 * for: its part of each column moved to grouped order, its fused sweep, and its part of each
 * feature moved to row order. Tasks of different ranges touch disjoint array elements.
 */
export interface RangeWork extends SweepInput {
  readonly kind: 'range';
  /** to[position[i]] = from[i] for positions in [lo, hi). */
  readonly scatters: readonly { readonly from: Float64Array; readonly position: Uint32Array; readonly to: Float64Array; readonly lo: number; readonly hi: number }[];
  /** Features in grouped order, then each moved to `out` at rows[i] for the range's spine positions. */
  readonly grouped: readonly (Float64Array | undefined)[];
  readonly rows: Uint32Array;
  readonly out: readonly (Float64Array | undefined)[];
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
  readonly #idle: Worker[] = [];
  readonly #queue: Pending[] = [];
  readonly #running = new Map<Worker, Pending>();
  #nextId = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.#idle.push(this.#spawn());
  }

  /** `sweepWindow` for one window. */
  sweep(latenessMs: number, window: WindowPlan, events: SortedEvents, spine: SortedSpine, out: FeatureOutputs): Promise<void> {
    return this.#run(latenessMs, [window], false, 0, spine.starts.length - 1, events, spine, out);
  }

  /** `sweepFused` for entity groups [fromKey, toKey). */
  sweepFused(latenessMs: number, windows: readonly WindowPlan[], fromKey: number, toKey: number, events: SortedEvents, spine: SortedSpine, out: FeatureOutputs): Promise<void> {
    return this.#run(latenessMs, windows, true, fromKey, toKey, events, spine, out);
  }

  /** Move a feature to row order (`permute` of view-job.ts); all three arrays in shared memory. */
  permute(from: Float64Array, rows: Uint32Array, to: Float64Array): Promise<void> {
    return this.#post({ kind: 'permute', from, rows, to });
  }

  #run(
    latenessMs: number,
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
      latenessMs,
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

  /** A view's part of a backfill (`RangeWork`); every array in shared memory. */
  range(work: Omit<RangeWork, 'kind'>): Promise<void> {
    return this.#post({ kind: 'range', ...work });
  }

  #post(work: SweepWork | PermuteWork | RangeWork): Promise<void> {
    const task: SweepTask = { ...work, id: this.#nextId++ };
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
