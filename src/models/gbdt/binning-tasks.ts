import { binBounds, binColumns, rowMajor } from './binning.js';
import { CONTROL, type Work } from './work.js';

/** Rows coded per task. */
const BLOCK_ROWS = 65_536;

/** Slots per feature in `work.bounds`: at most 254 bounds (255 bins) fit. */
const BOUND_SLOTS = 256;

/**
 * Binning on every thread: the first `features` tasks place one feature's bin bounds each, the
 * others code a block of rows once every feature's bounds are known. The caller and each worker
 * take tasks from a shared counter; a worker starts when it has loaded, so it takes whatever the
 * caller has not yet begun. Every task's result depends on the data only, never on the thread.
 */
export function setUpBinning(work: Work, maxBins: number): void {
  const { control } = work;
  Atomics.store(control, CONTROL.maxBins, maxBins);
  Atomics.store(control, CONTROL.binCount, work.features + Math.ceil(work.rows / BLOCK_ROWS));
}

/** Takes binning tasks until none are left; `columns` are the raw values, column by column. */
export function runBinningTasks(work: Work, columns: readonly Float64Array[]): void {
  const { control, features, rows } = work;
  const count = Atomics.load(control, CONTROL.binCount);
  const maxBins = Atomics.load(control, CONTROL.maxBins);
  let bounds: Float64Array[] | undefined;
  for (;;) {
    const t = Atomics.add(control, CONTROL.binNext, 1);
    if (t >= count) return;
    try {
      if (t < features) {
        const found = binBounds(columns[t] as Float64Array, maxBins);
        work.bounds.set(found, t * BOUND_SLOTS);
        work.boundCounts[t] = found.length;
        Atomics.add(control, CONTROL.boundsDone, 1);
        Atomics.notify(control, CONTROL.boundsDone);
      } else {
        bounds ??= waitForBounds(work);
        const start = (t - features) * BLOCK_ROWS;
        const end = Math.min(rows, start + BLOCK_ROWS);
        binColumns(columns, bounds, rows, work.columns, start, end);
        rowMajor(work.columns, features, rows, work.codes, 4 * work.words, 4 * work.header, start, end);
      }
    } catch (error) {
      // The caller reports the failure once every task is accounted for.
      Atomics.store(control, CONTROL.failed, 1);
      if (t < features) Atomics.add(control, CONTROL.boundsDone, 1);
      throw error;
    } finally {
      Atomics.add(control, CONTROL.binDone, 1);
      Atomics.notify(control, CONTROL.binDone);
    }
  }
}

/** Waits until every binning task has finished, on whichever thread. */
export function waitForBinning(work: Work): void {
  const { control } = work;
  const count = Atomics.load(control, CONTROL.binCount);
  for (let done = Atomics.load(control, CONTROL.binDone); done < count; done = Atomics.load(control, CONTROL.binDone)) {
    Atomics.wait(control, CONTROL.binDone, done);
  }
}

/** Every feature's bounds, once all of them are known. */
export function waitForBounds(work: Work): Float64Array[] {
  const { control, features } = work;
  for (let done = Atomics.load(control, CONTROL.boundsDone); done < features; done = Atomics.load(control, CONTROL.boundsDone)) {
    Atomics.wait(control, CONTROL.boundsDone, done);
  }
  return Array.from({ length: features }, (_, j) => work.bounds.slice(j * BOUND_SLOTS, j * BOUND_SLOTS + (work.boundCounts[j] as number)));
}

/** Raw values copied for workers, at most (a larger data set is binned by the caller alone). */
const SHARED_COPY_BYTES = 256 << 20;

/**
 * The raw columns in memory workers can read: as they are when already shared, else a copy when
 * it stays under SHARED_COPY_BYTES; undefined otherwise.
 */
export function sharedColumns(columns: readonly Float64Array[], rows: number): Float64Array[] | undefined {
  if (columns.every((column) => column.buffer instanceof SharedArrayBuffer)) return [...columns];
  if (columns.length * rows * 8 > SHARED_COPY_BYTES) return undefined;
  const memory = new SharedArrayBuffer(columns.length * rows * 8);
  return columns.map((column, j) => {
    const copy = new Float64Array(memory, j * rows * 8, rows);
    copy.set(column.subarray(0, rows));
    return copy;
  });
}
