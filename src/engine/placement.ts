import { TandemError } from '../errors.js';

/**
 * Rows grouped by key, and columns moved to the grouped order, by a thread other than the one
 * that plans them: the first view of a parallel backfill, which both workers would otherwise
 * wait for while the main thread grouped it. The main thread counts the keys (one sequential
 * read of the ids), so the view's group boundaries are known at once; one worker places the
 * rows and moves the columns, the same passes `groupByKey` and `scatterToGrouped` make, while
 * the main thread prepares the next view.
 *
 * Every array is in shared memory. Whichever thread gets to a placement first places it
 * (`ensurePlaced`); any other that needs it waits until it is done.
 */
export interface Placement {
  readonly byTime: Uint32Array;
  readonly ids: Int32Array;
  /** Group k is order[starts[k] .. starts[k + 1]). */
  readonly starts: Uint32Array;
  readonly order: Uint32Array;
  readonly position: Uint32Array;
  /** With `carried`: carried[position[row]] = carry[row]. */
  readonly carry: Int32Array | undefined;
  readonly carried: Int32Array | undefined;
  /** Columns in row order, each moved to grouped order into the `sorted` array of the same index. */
  readonly columns: Float64Array[];
  readonly sorted: Float64Array[];
  /** [0] is UNPLACED, PLACING or PLACED. */
  readonly state: Int32Array;
}

const UNPLACED = 0;
const PLACING = 1;
const PLACED = 2;

/**
 * A placement of the rows with a key id (−1: none) in time order, its group boundaries
 * counted; undefined when a row has no key (such rows are reported from their positions
 * before anything is placed). `allocate` and `allocateKept` give shared memory, which may
 * hold anything; the order and the carried ids come from `allocateKept`, and ids not in
 * shared memory yet are copied there once the count has found every row keyed.
 */
export function planPlacement(
  ids: Int32Array,
  byTime: Uint32Array,
  width: number,
  allocate: (n: number) => Uint32Array,
  allocateKept: (n: number) => Uint32Array,
  carry: Int32Array | undefined,
): Placement | undefined {
  const { starts, keyless } = countByKey(ids, width);
  if (keyless > 0) return undefined;
  const rows = ids.length;
  return {
    byTime,
    ids: shared(ids, allocate),
    starts,
    order: allocateKept(rows),
    position: allocate(rows),
    carry: carry && shared(carry, allocate),
    carried: carry === undefined ? undefined : asInt32(allocateKept(rows)),
    columns: [],
    sorted: [],
    state: new Int32Array(new SharedArrayBuffer(4)),
  };
}

/**
 * Place the rows and move the columns unless another thread is at it, then return once they
 * are placed: what the worker given a placement does, and what any thread does before it
 * reads one.
 */
export function ensurePlaced(placement: Placement): void {
  const { state } = placement;
  if (Atomics.compareExchange(state, 0, UNPLACED, PLACING) === UNPLACED) {
    try {
      const { ids, byTime, starts, order, position, carry, carried } = placement;
      placeByKey(ids, byTime, starts.slice(0, starts.length - 1), order, position, carry, carried);
      placement.columns.forEach((column, c) => scatterToGrouped(column, position, placement.sorted[c]!));
    } finally {
      // A failure leaves the arrays incomplete; waiting threads go on, and the backfill fails
      // with the error that the placing thread reports.
      Atomics.store(state, 0, PLACED);
      Atomics.notify(state, 0);
    }
    return;
  }
  let waited = 0;
  while (Atomics.load(state, 0) !== PLACED) {
    if (Atomics.wait(state, 0, PLACING, WAIT_MS) === 'timed-out' && (waited += WAIT_MS) >= GIVE_UP_MS) {
      throw new TandemError('TANDEM_INTERNAL', `a backfill worker started grouping rows by key and did not finish within ${GIVE_UP_MS / 1000} s`);
    }
  }
}

const WAIT_MS = 100;
/** Placing takes milliseconds a million rows: a placement not done in this long lost its thread. */
const GIVE_UP_MS = 60_000;

/** Group boundaries of key ids 0 .. width − 1 (−1: no key), and how many rows have none. */
export function countByKey(ids: Int32Array, width: number): { readonly starts: Uint32Array; readonly keyless: number } {
  const starts = new Uint32Array(width + 1);
  let keyless = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id >= 0) starts[id + 1]!++;
    else keyless++;
  }
  for (let k = 0; k < width; k++) starts[k + 1]! += starts[k]!;
  return { starts, keyless };
}

/**
 * The counting sort's placing pass: each row of the time order at the next slot of its key
 * (`cursor`, from each group's start), its position beside it (unless `position` is empty),
 * and `carry[row]` into `carried`. Rows with key −1 are skipped.
 */
export function placeByKey(
  ids: Int32Array,
  byTime: Uint32Array,
  cursor: Uint32Array,
  order: Uint32Array,
  position: Uint32Array,
  carry: Int32Array | undefined,
  carried: Int32Array | undefined,
): void {
  const withPosition = position.length > 0;
  for (let j = 0; j < byTime.length; j++) {
    const row = byTime[j]!;
    const id = ids[row]!;
    if (id < 0) continue;
    const at = cursor[id]!++;
    order[at] = row;
    if (withPosition) position[row] = at;
    if (carried !== undefined) carried[at] = carry![row]!;
  }
}

/**
 * A column in grouped order: out[position[i]] = values[i]. Reads the rows in their own order
 * and writes each to its position: sequential reads and scattered writes are much kinder to
 * the cache than the scattered reads of gathering through `order`. With `from` and `to`,
 * writes only the positions in [from, to), so workers can each fill a part.
 */
export function scatterToGrouped(values: Float64Array, position: Uint32Array, out: Float64Array, from = 0, to = out.length): void {
  // Positions outside [from, to), NO_POSITION among them, wrap to large unsigned offsets.
  const span = to - from;
  for (let i = 0; i < values.length; i++) {
    const at = position[i]!;
    if (((at - from) >>> 0) < span) out[at] = values[i]!;
  }
}

/** Ids in shared memory: as they are, or copied. */
function shared(ids: Int32Array, allocate: (n: number) => Uint32Array): Int32Array {
  if (ids.buffer instanceof SharedArrayBuffer) return ids;
  const copy = asInt32(allocate(ids.length));
  copy.set(ids);
  return copy;
}

/** The same memory read as signed ids. */
export function asInt32(array: Uint32Array): Int32Array {
  return new Int32Array(array.buffer, array.byteOffset, array.length);
}
