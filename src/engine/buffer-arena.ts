/**
 * Memory for the working arrays of backfills (columns in grouped order, features before they
 * move to row order, groupings, time orders, feature functions' values), handed back view by
 * view and kept for the next view or backfill instead of being left to the garbage collector:
 * shared memory for parallel backfills, plain for one thread.
 *
 * A backfill of a few million rows works in several hundred megabytes. Fresh memory costs a
 * page fault per 4 KiB page on first touch, and shared buffers are unmapped only when the
 * collector gets to them. On the 2-vCPU machine of bench/README.md, filling 30 fresh 24 MB
 * shared buffers took 0.2–1.2 s of system time, and a parallel backfill of 3M events spent
 * 0.4–2.1 s of each run in the kernel (0.02–0.7 s with this arena). Buffers handed back here
 * are reused as they are, not zeroed; an arena idle for `IDLE_MS` lets its buffers go, and
 * `releaseBackfillMemory` lets them go at once.
 */
export class BufferArena<B extends ArrayBufferLike> {
  readonly #free: B[] = [];
  /** Buffers this arena made: only those come back to it. */
  readonly #made = new WeakSet<ArrayBufferLike>();
  readonly #create: (bytes: number) => B;
  readonly #idleMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(create: (bytes: number) => B, idleMs = IDLE_MS) {
    this.#create = create;
    this.#idleMs = idleMs;
  }

  /** Bytes held for reuse. */
  get idleBytes(): number {
    return this.#free.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  }

  /** A buffer of at least `bytes` bytes (at most twice as many), reused when one is free. */
  take(bytes: number): B {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const size = this.#free[i]!.byteLength;
      if (size >= bytes && size <= 2 * bytes + 4096 && (best < 0 || size < this.#free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0]!;
    const buffer = this.#create(bytes);
    this.#made.add(buffer);
    return buffer;
  }

  float64(n: number): Float64Array {
    return new Float64Array(this.take(8 * n), 0, n);
  }

  uint32(n: number): Uint32Array {
    return new Uint32Array(this.take(4 * n), 0, n);
  }

  /**
   * Hand back the buffers under these arrays (each once, even if several arrays share one;
   * arrays over buffers this arena did not make are left alone).
   */
  release(arrays: Iterable<ArrayBufferView | undefined>): void {
    for (const array of arrays) {
      const buffer = array?.buffer as B | undefined;
      if (buffer !== undefined && this.#made.has(buffer) && !this.#free.includes(buffer)) this.#free.push(buffer);
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.clear(), this.#idleMs);
    this.#timer.unref();
  }

  /** Let every held buffer go. */
  clear(): void {
    this.#free.length = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * How long an idle arena keeps its buffers: a minute, so a process that backfills again
 * within one (a training loop, a benchmark alternating with another engine, a scheduler)
 * reuses the memory. With 10 s, a backfill of 3M events coming 25–30 s after the last spent
 * 1.0–2.1 s of system time faulting its working memory in again, and took 1.6–2.2 s instead
 * of 0.9–1.1 s (bench/README.md). Database engines keep their buffer pools for as long.
 */
const IDLE_MS = 60_000;

/** The process's arena for parallel backfills: shared memory, which worker threads fill. */
export const sharedArena = new BufferArena((bytes) => new SharedArrayBuffer(bytes));

/** The process's arena for backfills on one thread. */
export const plainArena = new BufferArena((bytes) => new ArrayBuffer(bytes));

/**
 * Let every buffer the backfill arenas hold go now, instead of after a minute idle (for a
 * process that is done backfilling and wants the memory back at once).
 */
export function releaseBackfillMemory(): void {
  sharedArena.clear();
  plainArena.clear();
}
