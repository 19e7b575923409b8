/**
 * HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007) over a sliding time window, after
 * Chabchoub & Hébrail, "Sliding HyperLogLog" (2010): each register keeps its List of Possible
 * Future Maxima — (time, rank) pairs with ranks strictly decreasing as time increases — so the
 * register's value for any window [lo, hi) with hi after every entry is the rank of the oldest
 * entry at or after lo. Estimates use the standard small-range (linear counting) and
 * large-range corrections for 32-bit hashes. Relative standard error ≈ 1.04 / √m.
 */

export function registerOf(hash: number, precision: number): number {
  return hash >>> (32 - precision);
}

export function rankOf(hash: number, precision: number): number {
  const rest = (hash << precision) >>> 0;
  const cap = 32 - precision + 1;
  return rest === 0 ? cap : Math.min(Math.clz32(rest) + 1, cap);
}

function alpha(m: number): number {
  if (m === 16) return 0.673;
  if (m === 32) return 0.697;
  if (m === 64) return 0.709;
  return 0.7213 / (1 + 1.079 / m);
}

const TWO_32 = 4_294_967_296;

/** The estimate from `nonZero` registers whose 2^-rank add up to `inverseSum` (zeros excluded). */
export function estimate(m: number, nonZero: number, inverseSum: number): number {
  if (nonZero === 0) return 0;
  const zeros = m - nonZero;
  const raw = (alpha(m) * m * m) / (inverseSum + zeros);
  if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
  if (raw > TWO_32 / 30) return Math.round(-TWO_32 * Math.log(1 - raw / TWO_32));
  return Math.round(raw);
}

/** Estimate from a dense register array (0 = empty). */
export function estimateRegisters(registers: Uint8Array): number {
  let nonZero = 0;
  let inverseSum = 0;
  for (let j = 0; j < registers.length; j++) {
    const r = registers[j]!;
    if (r !== 0) {
      nonZero++;
      inverseSum += 2 ** -r;
    }
  }
  return estimate(registers.length, nonZero, inverseSum);
}

/**
 * The estimate's two sums over the registers: how many are set, and their 2^-rank. Sums of
 * powers of two are exact in doubles, so sums kept up to date as registers change equal a fresh
 * pass over them, whatever the order of the changes.
 */
class RegisterSums {
  protected nonZero = 0;
  protected inverse = 0;

  /** A register's value went from rank `from` to rank `to` (0: empty). */
  protected replace(from: number, to: number): void {
    if (from !== 0) {
      this.nonZero--;
      this.inverse -= 2 ** -from;
    }
    if (to !== 0) {
      this.nonZero++;
      this.inverse += 2 ** -to;
    }
  }

  protected estimateOf(precision: number): number {
    return estimate(1 << precision, this.nonZero, this.inverse);
  }

  protected resetSums(): void {
    this.nonZero = this.inverse = 0;
  }
}

/**
 * Sliding-window registers: per register a flat [time, rank, time, rank, …] LPFM list.
 *
 * Reads as of times that move forwards (the stream's "now") keep the estimate up to date
 * instead of scanning every register: the registers' values as of the last read's `lo` and the
 * estimate's sums are kept, an add recomputes its own register, and a later read recomputes only
 * the registers with an entry that expired in between, which a min-heap of entry times finds.
 * A read further back (a replay) scans every register and starts over from there. The sums are
 * of powers of two, exact in doubles, so every estimate equals a fresh scan's.
 *
 * The lists live in a `Map` by register while few registers have one (most entities see a
 * handful of distinct values in a window), and move to an array indexed by register once more
 * than 1/16 of them do: a stream holds one sketch per entity and feature, and an array of 2^p
 * slots for each would be megabytes per thousand entities for the collector to trace.
 */
export class SlidingRegisters extends RegisterSums {
  readonly precision: number;
  /** Each register's list while few have one; undefined once they are in `#dense`. */
  #sparse: Map<number, number[]> | undefined = new Map();
  #dense: (number[] | undefined)[] | undefined;
  /** Registers that may hold entries; compacted lazily. */
  #active: number[] = [];
  /** Each register's value as of `#lo` (0: empty); allocated by the first read. */
  #values: Uint8Array | undefined;
  #lo = Number.NEGATIVE_INFINITY;
  /** Min-heap of (time, register) for entries at or after `#lo`: [time, reg, time, reg, …]. */
  #heap: number[] = [];
  /** False until a second read needs the heap: a sketch read once (a replica's) never builds it. */
  #heapReady = false;

  constructor(precision: number) {
    super();
    this.precision = precision;
  }

  #list(reg: number): number[] | undefined {
    const dense = this.#dense;
    return dense !== undefined ? dense[reg] : this.#sparse!.get(reg);
  }

  #setList(reg: number, list: number[] | undefined): void {
    const dense = this.#dense;
    if (dense !== undefined) {
      dense[reg] = list;
      return;
    }
    const sparse = this.#sparse!;
    if (list === undefined) {
      sparse.delete(reg);
      return;
    }
    sparse.set(reg, list);
    if (sparse.size > 1 << (this.precision - 4)) {
      const lists = new Array<number[] | undefined>(1 << this.precision);
      for (const [r, l] of sparse) lists[r] = l;
      this.#dense = lists;
      this.#sparse = undefined;
    }
  }

  /** Add a hash seen at time t; `dropBefore` discards entries no read can need any more. */
  add(t: number, hash: number, dropBefore: number): void {
    const reg = registerOf(hash, this.precision);
    const rank = rankOf(hash, this.precision);
    let list = this.#list(reg);
    if (list === undefined) {
      list = [];
      this.#setList(reg, list);
      this.#active.push(reg);
    }
    // Entries are few (expected O(log n)); drop expired ones from the front while here.
    let start = 0;
    while (start < list.length && list[start]! < dropBefore) start += 2;
    if (start > 0) list.splice(0, start);
    // Find the insertion point after every entry at or before t (arrival order breaks ties).
    let pos = list.length;
    while (pos > 0 && list[pos - 2]! > t) pos -= 2;
    // Dominated by an entry at or after t with a rank at least as high: nothing to keep. (Entries
    // dropped above are before any time a read can ask about; their heap items expire them.)
    if (pos < list.length && list[pos + 1]! >= rank) return;
    // Earlier entries whose rank is not higher can never be a register's maximum again.
    let from = pos;
    while (from > 0 && list[from - 1]! <= rank) from -= 2;
    if (pos === list.length) {
      // In time order, the usual case: no splice.
      list.length = from;
      list.push(t, rank);
    } else list.splice(from, pos - from, t, rank);
    if (this.#heapReady && t >= this.#lo) this.#push(t, reg);
    this.#refresh(reg);
  }

  /** Estimate for [lo, ∞) when every entry is before the read time. */
  estimateFrom(lo: number): number {
    if (this.#values === undefined || lo < this.#lo) this.#sweepFrom(lo);
    else if (lo > this.#lo) {
      if (!this.#heapReady) this.#buildHeap();
      this.#lo = lo;
      const heap = this.#heap;
      while (heap.length > 0 && heap[0]! < lo) {
        const reg = heap[1]!;
        this.#pop();
        this.#refresh(reg);
      }
    }
    return this.estimateOf(this.precision);
  }

  clear(): void {
    this.#sparse = new Map();
    this.#dense = undefined;
    this.#active = [];
    this.#values = undefined;
    this.#lo = Number.NEGATIVE_INFINITY;
    this.resetSums();
    this.#heap = [];
    this.#heapReady = false;
  }

  /** Every register's value as of `lo` and the sums; the heap is built when a later read needs it. */
  #sweepFrom(lo: number): void {
    const values = (this.#values ??= new Uint8Array(1 << this.precision));
    values.fill(0);
    this.#lo = lo;
    this.resetSums();
    let write = 0;
    const active = this.#active;
    for (let a = 0; a < active.length; a++) {
      const reg = active[a]!;
      const list = this.#list(reg)!;
      if (list.length === 0) {
        this.#setList(reg, undefined);
        continue;
      }
      active[write++] = reg;
      let i = 0;
      while (i < list.length && list[i]! < lo) i += 2;
      if (i < list.length) {
        const rank = list[i + 1]!;
        values[reg] = rank;
        this.replace(0, rank);
      }
    }
    active.length = write;
    this.#heap = [];
    this.#heapReady = false;
  }

  /** The heap of every entry at or after `#lo`. */
  #buildHeap(): void {
    const heap: number[] = [];
    const lo = this.#lo;
    for (const reg of this.#active) {
      const list = this.#list(reg);
      if (list === undefined) continue;
      for (let i = 0; i < list.length; i += 2) if (list[i]! >= lo) heap.push(list[i]!, reg);
    }
    this.#heap = heap;
    // Heapify: sift down every pair that has a child, the last one first.
    for (let k = 2 * ((heap.length >> 2) - 1); k >= 0; k -= 2) this.#down(k);
    this.#heapReady = true;
  }

  /** Recomputes register `reg`'s value as of `#lo` after its list changed or an entry expired. */
  #refresh(reg: number): void {
    const values = this.#values;
    if (values === undefined) return;
    const list = this.#list(reg)!;
    const lo = this.#lo;
    let i = 0;
    while (i < list.length && list[i]! < lo) i += 2;
    const rank = i < list.length ? list[i + 1]! : 0;
    const old = values[reg]!;
    if (rank === old) return;
    values[reg] = rank;
    this.replace(old, rank);
  }

  #push(t: number, reg: number): void {
    const heap = this.#heap;
    let k = heap.length;
    heap.push(t, reg);
    while (k > 0) {
      const parent = ((k >> 1) - 1) & ~1;
      if (heap[parent]! <= t) break;
      heap[k] = heap[parent]!;
      heap[k + 1] = heap[parent + 1]!;
      k = parent;
    }
    heap[k] = t;
    heap[k + 1] = reg;
  }

  #pop(): void {
    const heap = this.#heap;
    const lastReg = heap.pop()!;
    const lastTime = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = lastTime;
    heap[1] = lastReg;
    this.#down(0);
  }

  /** Sifts the pair at slot k down to its place. */
  #down(k: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const t = heap[k]!;
    const reg = heap[k + 1]!;
    for (;;) {
      let child = 2 * k + 2;
      if (child >= n) break;
      if (child + 2 < n && heap[child + 2]! < heap[child]!) child += 2;
      if (heap[child]! >= t) break;
      heap[k] = heap[child]!;
      heap[k + 1] = heap[child + 1]!;
      k = child;
    }
    heap[k] = t;
    heap[k + 1] = reg;
  }
}

/**
 * Registers of every hash added since the last `clear` (a lifetime window in the backfill),
 * with the estimate's sums kept up to date as registers rise. The sums are of powers of two,
 * exact in doubles, so the estimate does not depend on the order of the adds.
 */
export class GrowingRegisters extends RegisterSums {
  readonly precision: number;
  readonly #registers: Uint8Array;
  /** Registers set since the last clear, to reset only those. */
  readonly #touched: number[] = [];

  constructor(precision: number) {
    super();
    this.precision = precision;
    this.#registers = new Uint8Array(1 << precision);
  }

  add(hash: number): void {
    const reg = registerOf(hash, this.precision);
    const rank = rankOf(hash, this.precision);
    const old = this.#registers[reg]!;
    if (rank <= old) return;
    if (old === 0) this.#touched.push(reg);
    this.replace(old, rank);
    this.#registers[reg] = rank;
  }

  estimate(): number {
    return this.estimateOf(this.precision);
  }

  clear(): void {
    for (const reg of this.#touched) this.#registers[reg] = 0;
    this.#touched.length = 0;
    this.resetSums();
  }
}

/**
 * `SlidingRegisters` for the backfill, where an entity's hashes arrive in time order and it is
 * read as of times that never go back: the same estimates, kept up to date instead of
 * recomputed over every register at each read.
 *
 * Each register keeps the same list as SlidingRegisters (entries in time order with falling
 * ranks, an entry dropped once a later one ranks at least as high), so its value as of `lo` is
 * its first entry at or after `lo`. The sums behind the estimate change only when a register's
 * first entry does: when an add displaces it, and when it expires, which a queue of every
 * entry in time order finds without scanning the registers. The sums are of powers of two and
 * exact, so they equal SlidingRegisters' fresh sums and the estimates are the same.
 */
export class SweepingRegisters extends RegisterSums {
  readonly precision: number;
  /** Per register: [time, rank, sequence] triples, the first `heads[reg]` slots expired. */
  readonly #lists: number[][];
  readonly #heads: Int32Array;
  /** Every entry in time order: its time, register and sequence number. */
  readonly #queue: number[] = [];
  #queueHead = 0;
  #sequence = 0;

  constructor(precision: number) {
    super();
    this.precision = precision;
    this.#lists = Array.from({ length: 1 << precision }, () => []);
    this.#heads = new Int32Array(1 << precision);
  }

  /** Add a hash seen at time t, no earlier than any added before. */
  add(t: number, hash: number): void {
    const reg = registerOf(hash, this.precision);
    const rank = rankOf(hash, this.precision);
    const list = this.#lists[reg]!;
    const head = this.#heads[reg]!;
    const front = list.length > head ? list[head + 1]! : 0;
    // Earlier entries whose rank is not higher can never be the register's value again.
    while (list.length > head && list[list.length - 2]! <= rank) list.length -= 3;
    const sequence = this.#sequence++;
    list.push(t, rank, sequence);
    this.#queue.push(t, reg, sequence);
    if (list.length === head + 3) this.replace(front, rank);
  }

  /** Estimate for [lo, ∞) when every entry is before the read time; lo never decreases. */
  estimateFrom(lo: number): number {
    const queue = this.#queue;
    let q = this.#queueHead;
    while (q < queue.length && queue[q]! < lo) {
      const reg = queue[q + 1]!;
      const sequence = queue[q + 2]!;
      q += 3;
      const list = this.#lists[reg]!;
      const head = this.#heads[reg]!;
      // Entries dropped from the back of their list expire as nothing.
      if (list.length === head || list[head + 2] !== sequence) continue;
      const rank = list[head + 1]!;
      if (list.length === head + 3) {
        list.length = 0;
        this.#heads[reg] = 0;
        this.replace(rank, 0);
      } else {
        this.#heads[reg] = head + 3;
        this.replace(rank, list[head + 4]!);
      }
    }
    this.#queueHead = q;
    return this.estimateOf(this.precision);
  }

  clear(): void {
    const queue = this.#queue;
    for (let q = 0; q < queue.length; q += 3) {
      const reg = queue[q + 1]!;
      this.#lists[reg]!.length = 0;
      this.#heads[reg] = 0;
    }
    queue.length = 0;
    this.#queueHead = 0;
    this.resetSums();
  }
}
