import type { BackfillMemory, BackfillRun } from './backfill.js';
import type { BufferArena } from './buffer-arena.js';
import type { ViewJob } from './view-job.js';

/**
 * A backfill's working arrays, taken from an arena and handed back view by view, so the next
 * view (or backfill) reuses them instead of faulting in and zeroing fresh memory: a view's
 * arrays once it is done, except columns that a view not yet prepared will read
 * (`BackfillRun.stillRead`), which go back once that view has its own columns.
 */
export class WorkingMemory {
  readonly memory: BackfillMemory;
  readonly #arena: BufferArena<ArrayBufferLike>;
  #taken: ArrayBufferView[] = [];
  /** Arrays for the whole backfill (`BackfillMemory.forRun`), back at `finish`. */
  readonly #run: ArrayBufferView[] = [];
  #held: { readonly job: ViewJob; readonly arrays: readonly ArrayBufferView[] }[] = [];

  /**
   * `output`: the result's feature columns, which the caller keeps, or hands back to the arena
   * with `BackfillResult.release`.
   */
  constructor(arena: BufferArena<ArrayBufferLike>, output: (n: number) => Float64Array) {
    this.#arena = arena;
    const track = <A extends ArrayBufferView>(array: A): A => {
      this.#taken.push(array);
      return array;
    };
    this.memory = {
      float64: (n) => track(arena.float64(n)),
      uint32: (n) => track(arena.uint32(n)),
      forRun: (n) => {
        const array = arena.uint32(n);
        this.#run.push(array);
        return array;
      },
      output,
      releaseOutputs: (columns) => arena.release(columns),
    };
  }

  /**
   * The backfill is over (done or failed): the arrays for the whole run go back. Those of views
   * go back as each is done; after a failure they are left to the collector, since a worker
   * may still be writing to them.
   */
  finish(): void {
    this.#arena.release(this.#run);
    this.#run.length = 0;
  }

  /** The arrays taken since the last call: those of the view just prepared. */
  taken(): ArrayBufferView[] {
    const arrays = this.#taken;
    this.#taken = [];
    return arrays;
  }

  /** A view's arrays back to the arena, but for columns a view still to be prepared reads. */
  release(run: BackfillRun, job: ViewJob, arrays: readonly ArrayBufferView[]): void {
    const read: readonly ArrayBufferView[] = run.stillRead(job);
    this.#arena.release(arrays.filter((array) => !read.includes(array)));
    const kept = arrays.filter((array) => read.includes(array));
    if (kept.length > 0) this.#held.push({ job, arrays: kept });
  }

  /** After each view has its columns in grouped order: columns held for it go back. */
  viewGrouped(run: BackfillRun): void {
    const held = this.#held;
    this.#held = [];
    for (const { job, arrays } of held) this.release(run, job, arrays);
  }
}
