import { estimate, estimateRegisters, rankOf, registerOf, SlidingRegisters } from './hll.js';
import { MOMENT_SIZE, momentAdd, momentCopy, momentImprecise, momentMerge, momentRecompute, momentRemove, momentValue, recomputeDue } from './moments.js';
import type { WindowPlan } from './plan.js';
import type { EntityRecords } from './entity-records.js';
import { offsetOf, type RingArena } from './ring-arena.js';
import { compiledRun, type RunKernel } from './run-kernel.js';

/** Per-slot event values: the backfill passes whole columns, the stream one-element arrays. */
export interface SlotData {
  readonly num: readonly (Float64Array | undefined)[];
  readonly any: readonly (readonly unknown[] | undefined)[];
}

/** Per-feature outputs, indexed by feature index; `number` features in Float64 with NaN = null. */
export interface FeatureOutputs {
  readonly num: readonly (Float64Array | undefined)[];
  readonly any: readonly (unknown[] | undefined)[];
}

/** One entity's state in one window as plain data; numbers are Float64 bytes in base64, so they come back exact. */
export interface WindowStateSnapshot {
  readonly size: number;
  readonly times: string;
  readonly num: readonly (string | null)[];
  readonly any: readonly (readonly unknown[] | null)[];
  readonly scalars: string;
  readonly moments: string;
  readonly foldMoments: string;
  readonly lifeNonZero: string;
  readonly lifeInverse: string;
  readonly foldMin: string;
  readonly foldMax: string;
  readonly lifeRegs: readonly (string | null)[];
  readonly foldRegs: readonly (string | null)[];
  readonly foldLast: readonly (readonly unknown[] | null)[];
}

/**
 * Doubles travel in snapshots as the base64 of their bytes. One scratch array (and a Buffer
 * over the same memory) carries them on the way, so a field costs its string and no arrays.
 */
let scratch = new Float64Array(256);
let scratchBytes = Buffer.from(scratch.buffer);

/** The scratch, at least `doubles` long (its contents are lost when it grows). */
function scratchFor(doubles: number): Float64Array {
  if (doubles > scratch.length) {
    let length = scratch.length;
    while (length < doubles) length *= 2;
    scratch = new Float64Array(length);
    scratchBytes = Buffer.from(scratch.buffer);
  }
  return scratch;
}

/** Base64 of the scratch's first `count` doubles. */
function scratchText(count: number): string {
  return count === 0 ? '' : scratchBytes.toString('base64', 0, count * 8);
}

/** Base64 of `count` doubles of `values` from `from`. */
function f64(values: Float64Array, from: number, count: number): string {
  const out = scratchFor(count);
  for (let i = 0; i < count; i++) out[i] = values[from + i]!;
  return scratchText(count);
}

/** Decode base64 doubles into the scratch; returns how many there are. */
function readF64(text: string): number {
  scratchFor(((text.length * 3) >> 5) + 1);
  return scratchBytes.write(text, 0, 'base64') >> 3;
}

/** Decode base64 doubles into `to` at `at`, `at + stride`, …, at most `max` of them; returns how many were written. */
function copyF64(text: string, to: Float64Array, at: number, max = Infinity, stride = 1): number {
  const count = Math.min(readF64(text), max);
  for (let i = 0; i < count; i++) to[at + i * stride] = scratch[i]!;
  return count;
}

// Each entity's record: these fields, then per deque its head and size, then the fields only
// some windows use (see WindowState's constructor), then the moments of each column that has
// them, then (lifetime windows) the folds of dropped events, then the inline ring.
const HEAD = 0;
const SIZE = 1;
const CAP = 2;
const BLOCK = 3;
const KEY_MAX = 4;
/**
 * Finite windows: ring events (from HEAD) older than the newest event's window, newest − w.
 * They stay for reads in the recent past but are no longer in the sums.
 */
const SKIP = 5;
const FIXED = 6;
/** Rings of up to this many events live inside the entity's record. */
const INLINE_CAPACITY = 2;

/** Whether a window's features are event counts only (`count()`): no columns, finite. */
export function countsOnly(plan: WindowPlan): boolean {
  return plan.columns.length === 0 && Number.isFinite(plan.windowMs);
}

/**
 * For each window of a view, the index of the window it counts from (WindowState's `host`),
 * -1 for one that keeps its own state: a window of counts only counts from the view's
 * longest finite window when that one is longer.
 */
export function countsFrom(windows: readonly WindowPlan[]): number[] {
  let longest = -1;
  windows.forEach((w, i) => {
    if (Number.isFinite(w.windowMs) && (longest < 0 || w.windowMs > windows[longest]!.windowMs)) longest = i;
  });
  return windows.map((w) => (longest >= 0 && countsOnly(w) && windows[longest]!.windowMs > w.windowMs ? longest : -1));
}

/**
 * The stream driver's state for one window length of a view, for every entity: struct of
 * arrays, indexed by the entity ids of `EntityIds`. The backfill kernel (sweep.ts) is this
 * state specialised to sorted columns and must keep its rules: the same drops,
 * recomputations and moment operations (moments.ts) in the same order.
 *
 * Per entity, events are kept in a time-ordered ring while a read may still need them: for
 * a window w and allowed lateness L, every read is at or after (newest − L), so events before
 * (newest − w − L) leave the ring. The running sums hold less: the events of the newest
 * event's own window, [newest − w, ∞). An event first drops from the sums the events older
 * than its own t − w, then joins them, so a read as of the next event's time subtracts
 * exactly what applying that event will drop, with the same operations (the backfill drops
 * them for good at that read). Lifetime windows fold events leaving the ring into running
 * aggregates instead. Reads never mutate: events outside [t − w, t) are subtracted (and, for
 * reads in the past, events outside the sums added) on the fly, so the state — and therefore
 * every value — depends only on the sequence of applied events, not on when reads happen.
 *
 * Sums use shifted data (x − K, K a value from the window) with compensated summation, and
 * are recomputed from the events they hold after every 16n + 64 updates (`recomputeDue`)
 * and whenever they have become imprecise for what remains (moments.ts).
 *
 * Layout (no object per entity, so nothing for the GC to trace and fewer cache misses): the
 * view's `EntityRecords` hold one record of doubles per entity, in which this window has its
 * part — scalars, deque cursors, moments — and the pages of one store (`RingArena`) hold
 * those records and the rings: a record's page is `EntityRecords.page`, a ring's the page of
 * its block's address (BLOCK). A ring is a block of `cap` slots of `lanes` doubles each: an
 * event's time, its value of each numeric column, then per min/max deque one entry: the slot
 * of an event of the ring (a deque never holds more entries than the ring; its entries have
 * slots of their own numbering, and read the event's time and value through its slot). An
 * event's lanes sit together, so applying, dropping or reading it touches one or two cache
 * lines, not one per lane. Rings of up to INLINE_CAPACITY events sit inside the record, as
 * most entities of a busy view hold only a few events per window; longer rings move to
 * blocks of the store that double as they fill. Values a Float64 cannot hold (raw inputs of
 * last/lastK) and sketches live in per-entity objects, created only for views that use them.
 */
export class WindowState {
  readonly #plan: WindowPlan;
  readonly #w: number;
  readonly #lifetime: boolean;
  readonly #lateness: number;
  readonly #ncol: number;

  /** Per column: its lane in the ring block (0 = times), 0 for columns of raw values. */
  readonly #lane: Int32Array;
  /** Per column: index among raw-value columns, -1 for numeric ones. */
  readonly #anyIndex: Int32Array;
  readonly #nany: number;
  /** Per column: offset of its moments in the record, -1 without. */
  readonly #momentAt: Int32Array;
  /** Lifetime, per column: offset of the folded events' moments in the record, -1 without. */
  readonly #foldMomentAt: Int32Array;
  /** Per column: its max / min deque, -1 without. */
  readonly #maxDeque: Int32Array;
  readonly #minDeque: Int32Array;
  readonly #ndeque: number;
  /** Lane of the first deque's entries; deque d uses lane dequeLane + d. */
  readonly #dequeLane: number;
  /** Per deque: the lane of its column's values, and whether it holds them negated (minima). */
  readonly #dequeValueLane: Int32Array;
  readonly #dequeNegated: Uint8Array;
  readonly #lanes: number;
  /** Lifetime, per column: record offsets of the folded min and max, and of the distinct-count sums. */
  readonly #foldMinAt: number;
  readonly #foldMaxAt: number;
  readonly #lifeNonZeroAt: number;
  readonly #lifeInverseAt: number;
  /**
   * Record offsets of the fields some windows use, -1 where a window has no use for them (a
   * record's every double is a cache line's eighth, and the pair views hold the most):
   * lifetime windows, the events in their sums (folded ones included; a finite window's are
   * its ring's, SIZE); windows with sums, the updates since they were last recomputed;
   * windows with min/max deques, whether a late event left them to rebuild.
   */
  readonly #eventsAt: number;
  readonly #opsAt: number;
  readonly #dirtyAt: number;
  readonly #hasHll: boolean;
  /** `applyRun`'s loop generated for this window (run-kernel.ts): finite, numeric values only; undefined: `apply`. */
  readonly #kernel: RunKernel | undefined;
  /** The entity whose run the kernel applies, for its two calls back. */
  #runEntity = 0;
  readonly #growRun = (capacity: number): void => this.#resize(this.#runEntity, capacity);
  readonly #hashRun = (c: number, t: number, v: number, keyMax: number): void => this.#addHash(this.#runEntity, c, t, v, keyMax);
  readonly #stride: number;

  /** Where the inline ring starts within this window's part of a record. */
  readonly #inlineAt: number;
  /** The view's records, this window's part of each at #base. */
  readonly #records: EntityRecords;
  /** The records' store, which also holds the rings that have moved out of them. */
  readonly #store: RingArena;
  readonly #base: number;
  /** Rings of raw values, per entity and raw-value column. */
  readonly #anyRings: (unknown[] | undefined)[] = [];
  /** Per entity and column: sliding sketches (windows), registers of all and of folded events (lifetime). */
  readonly #sliding: (SlidingRegisters | undefined)[] = [];
  readonly #lifeRegs: (Uint8Array | undefined)[] = [];
  readonly #foldRegs: (Uint8Array | undefined)[] = [];
  /** Lifetime, per entity and column: the newest values dropped from the ring, for last / lastK. */
  readonly #foldLast: (unknown[] | undefined)[] = [];
  /** The moments of the window being read. */
  readonly #reading: Float64Array;
  /**
   * A window of event counts only (no columns) beside a longer finite window of the same
   * view keeps nothing of its own: its state is a function of that window's ring, which
   * holds every event this one needs (see `countsFrom`). Undefined for every other window.
   */
  readonly #host: WindowState | undefined;

  /**
   * `records`: the view's entity records, in which this window reserves its part. `host`: for
   * a window that `countsFrom` says may count from another, that window (longer, finite, of
   * the same view, itself no such window).
   */
  constructor(plan: WindowPlan, latenessMs: number, records: EntityRecords, host?: WindowState) {
    this.#plan = plan;
    if (host !== undefined && !(countsOnly(plan) && host.#plan.windowMs > plan.windowMs && host.#host === undefined && Number.isFinite(host.#plan.windowMs))) {
      throw new Error('WindowState: a window counts from a longer finite window, and only counts');
    }
    this.#host = host;
    this.#w = plan.windowMs;
    const life = (this.#lifetime = !Number.isFinite(plan.windowMs));
    this.#lateness = latenessMs;
    const cols = plan.columns;
    const n = (this.#ncol = cols.length);
    this.#lane = new Int32Array(n);
    this.#anyIndex = new Int32Array(n).fill(-1);
    this.#momentAt = new Int32Array(n).fill(-1);
    this.#foldMomentAt = new Int32Array(n).fill(-1);
    this.#maxDeque = new Int32Array(n).fill(-1);
    this.#minDeque = new Int32Array(n).fill(-1);
    let lanes = 1;
    let nany = 0;
    let ndeque = 0;
    cols.forEach((col, c) => {
      if (col.storage === 'number') this.#lane[c] = lanes++;
      else this.#anyIndex[c] = nany++;
      if (col.max) this.#maxDeque[c] = ndeque++;
      if (col.min) this.#minDeque[c] = ndeque++;
    });
    this.#nany = nany;
    this.#ndeque = ndeque;
    this.#dequeLane = lanes;
    this.#lanes = lanes + ndeque;
    this.#dequeValueLane = new Int32Array(ndeque);
    this.#dequeNegated = new Uint8Array(ndeque);
    cols.forEach((_, c) => {
      const dMax = this.#maxDeque[c]!;
      const dMin = this.#minDeque[c]!;
      if (dMax >= 0) this.#dequeValueLane[dMax] = this.#lane[c]!;
      if (dMin >= 0) {
        this.#dequeValueLane[dMin] = this.#lane[c]!;
        this.#dequeNegated[dMin] = 1;
      }
    });
    let at = FIXED + 2 * ndeque;
    this.#dirtyAt = ndeque > 0 ? at++ : -1;
    this.#opsAt = !life && cols.some((col) => col.moments) ? at++ : -1;
    this.#eventsAt = life ? at++ : -1;
    cols.forEach((col, c) => {
      if (col.moments) {
        this.#momentAt[c] = at;
        at += MOMENT_SIZE;
      }
    });
    if (life) {
      cols.forEach((col, c) => {
        if (col.moments) {
          this.#foldMomentAt[c] = at;
          at += MOMENT_SIZE;
        }
      });
    }
    this.#hasHll = cols.some((c) => c.hllPrecision > 0);
    this.#foldMinAt = life ? at : -1;
    this.#foldMaxAt = life ? at + n : -1;
    if (life) at += 2 * n;
    this.#lifeNonZeroAt = life && this.#hasHll ? at : -1;
    this.#lifeInverseAt = life && this.#hasHll ? at + n : -1;
    if (life && this.#hasHll) at += 2 * n;
    this.#inlineAt = at;
    this.#stride = at + INLINE_CAPACITY * this.#lanes;
    this.#records = records;
    this.#store = records.store;
    this.#base = records.reserve(host === undefined ? this.#stride : 0);
    this.#reading = new Float64Array(Math.max(1, n) * MOMENT_SIZE);
    const columns = cols.map((col, c) => ({
      slot: col.slot,
      lane: this.#lane[c]!,
      momentAt: this.#momentAt[c]!,
      maxDeque: this.#maxDeque[c]!,
      minDeque: this.#minDeque[c]!,
      hashed: col.hllPrecision > 0,
    }));
    const layout = { head: HEAD, size: SIZE, cap: CAP, block: BLOCK, keyMax: KEY_MAX, ops: this.#opsAt, skip: SKIP, fixed: FIXED, dequeLane: this.#dequeLane, lanes: this.#lanes };
    this.#kernel = !life && nany === 0 && host === undefined ? compiledRun(layout, columns) : undefined;
  }

  /** Whether this window keeps no state of its own, counting from a longer window's ring. */
  get counting(): boolean {
    return this.#host !== undefined;
  }

  /** Set up the part of entity e's record (just added to the view's records, so all zeros). */
  initEntity(e: number): void {
    if (this.#host !== undefined) return;
    const m = this.#records.page(e);
    const r = this.#record(e);
    m[r + CAP] = INLINE_CAPACITY;
    m[r + BLOCK] = this.#inlineAddress(e);
    m[r + KEY_MAX] = -Infinity;
    if (this.#lifetime) {
      m.fill(Infinity, r + this.#foldMinAt, r + this.#foldMinAt + this.#ncol);
      m.fill(-Infinity, r + this.#foldMaxAt, r + this.#foldMaxAt + this.#ncol);
    }
    for (let k = 0; k < this.#nany; k++) this.#anyRings[e * this.#nany + k] = new Array<unknown>(INLINE_CAPACITY).fill(undefined);
  }

  /** Where entity e's part of its record starts in its page (`EntityRecords.page`). */
  #record(e: number): number {
    return this.#records.at(e) + this.#base;
  }

  /** The store address of entity e's inline ring, part of its record. */
  #inlineAddress(e: number): number {
    return this.#records.address(e) + this.#base + this.#inlineAt;
  }

  /**
   * Load the oldest event of entity e's ring when the ring has moved out of the record (see
   * EntityRecords.touch), returning it so the load is not optimised away.
   */
  touch(e: number): number {
    if (this.#host !== undefined) return 0;
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    return this.#store.page(block)[offsetOf(block) + m[r + HEAD]! * this.#lanes]!;
  }

  /** The entity's newest event time, -Infinity before any. */
  newest(e: number): number {
    if (this.#host !== undefined) return this.#host.newest(e);
    return this.#records.page(e)[this.#record(e) + KEY_MAX]!;
  }

  /**
   * The first position of entity e's ring (oldest first) whose event is at or after `t`
   * (the ring's size when none is): its events are in time order.
   */
  #firstFrom(e: number, t: number): number {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    const head = m[r + HEAD]!;
    const mask = m[r + CAP]! - 1;
    const lanes = this.#lanes;
    let lo = 0;
    let hi = m[r + SIZE]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[b + ((head + mid) & mask) * lanes]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Apply the event at `row` of `data`, with event time `t`, to entity `e`. The order of
   * operations is part of the contract: the backfill kernel (sweep.ts) performs the same ones
   * on the moments, so the same events give the same bits.
   */
  apply(e: number, t: number, data: SlotData, row: number): void {
    if (this.#host !== undefined) return;
    const r = this.#record(e);
    const lifetime = this.#lifetime;
    const m = this.#records.page(e);
    const keyMax = m[r + KEY_MAX]!;
    const late = t < keyMax;
    // The sums first lose the events older than this event's window (an event in order only:
    // a late one's window starts before the sums do).
    if (!lifetime && !late) {
      const skip = m[r + SKIP]!;
      const block = m[r + BLOCK]!;
      if (skip < m[r + SIZE]! && this.#store.page(block)[offsetOf(block) + ((m[r + HEAD]! + skip) & (m[r + CAP]! - 1)) * this.#lanes]! < t - this.#w) this.#dropFromSums(e, t - this.#w);
    }
    if (m[r + SIZE] === m[r + CAP]) this.#resize(e, m[r + CAP]! * 2);
    // The ring: in the record, or a block of the store (read after a resize, which moves it).
    const cap = m[r + CAP]!;
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    const mask = cap - 1;
    let at: number;
    if (!late) {
      at = (m[r + HEAD]! + m[r + SIZE]!) & mask;
    } else {
      at = this.#openSlot(e, t);
      if (this.#dirtyAt >= 0) m[r + this.#dirtyAt] = 1;
    }
    // A late event older than the newest event's window is kept for reads in the past only.
    const inSums = lifetime || t >= keyMax - this.#w;
    if (!inSums) m[r + SKIP]!++;
    const size = ++m[r + SIZE]!;
    const lanes = this.#lanes;
    const slot = b + at * lanes;
    a[slot] = t;
    if (lifetime) m[r + this.#eventsAt]!++;
    const cols = this.#plan.columns;
    for (let c = 0; c < this.#ncol; c++) {
      const col = cols[c]!;
      const lane = this.#lane[c]!;
      if (lane > 0) {
        const v = data.num[col.slot]![row]!;
        a[slot + lane] = v;
        if (v !== v) continue; // null
        const mo = this.#momentAt[c]!;
        if (mo >= 0 && inSums) momentAdd(m, r + mo, v);
        if (!late) {
          const dMax = this.#maxDeque[c]!;
          if (dMax >= 0) this.#push(m, r, a, b, cap, dMax, at, v);
          const dMin = this.#minDeque[c]!;
          if (dMin >= 0) this.#push(m, r, a, b, cap, dMin, at, -v);
        }
        if (col.hllPrecision > 0) this.#addHash(e, c, t, v, keyMax);
      } else {
        const v = data.any[col.slot]![row];
        this.#anyRings[e * this.#nany + this.#anyIndex[c]!]![at] = v === undefined ? null : v;
      }
    }
    if (t > keyMax) m[r + KEY_MAX] = t;
    const newest = m[r + KEY_MAX]!;

    const opsAt = this.#opsAt;
    const recompute = opsAt >= 0 && ++m[r + opsAt]! > recomputeDue(size - m[r + SKIP]!);
    const bound = lifetime ? newest - this.#lateness : newest - this.#w - this.#lateness;
    if (a[b + m[r + HEAD]! * lanes]! < bound) this.#drop(e, bound);
    if (this.#dirtyAt >= 0 && m[r + this.#dirtyAt] !== 0) this.#rebuildDeques(e);
    if (recompute) {
      m[r + opsAt] = 0;
      this.#recomputeSums(e);
    }
  }

  /**
   * Apply rows [from, to) of `data` to entity e, with event times `times[from..to)`, as
   * `apply` row after row would: the same operations in the same order. A finite window of
   * numeric values (distinct-count hashes included) runs its generated loop (run-kernel.ts),
   * which holds the record's cursors and sums in locals between the events; a late event, and
   * every other window (or every window, where code generation is off), go through `apply`.
   */
  applyRun(e: number, times: Float64Array, data: SlotData, from: number, to: number): void {
    if (this.#host !== undefined) return;
    const kernel = this.#kernel;
    if (kernel === undefined) {
      for (let j = from; j < to; j++) this.apply(e, times[j]!, data, j);
      return;
    }
    const m = this.#records.page(e);
    const r = this.#record(e);
    this.#runEntity = e;
    let j = from;
    while (j < to) {
      j = kernel(m, r, times, data.num, j, to, this.#w, this.#lateness, this.#store, this.#growRun, this.#hashRun);
      if (j < to) {
        this.apply(e, times[j]!, data, j);
        j++;
      }
    }
  }

  /**
   * Subtract from the sums of a finite window the events older than `bound` (the next
   * event's t − w); when any left, recompute each column whose sums have become imprecise for
   * what remains. A read subtracts the same events with the same operations, column by
   * column, and the backfill kernels perform these when they read as of that event's time.
   * `applyRun`'s generated loop (run-kernel.ts) performs the same steps inline, cursors in
   * locals: change the two together (the long-runs property in apply-batch.property.test.ts
   * compares them).
   */
  #dropFromSums(e: number, bound: number): void {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const first = m[r + SKIP]!;
    const lanes = this.#lanes;
    let skip = first;
    while (skip < size && a[b + ((head + skip) & mask) * lanes]! < bound) {
      const at = b + ((head + skip) & mask) * lanes;
      for (let c = 0; c < this.#ncol; c++) {
        const mo = this.#momentAt[c]!;
        if (mo < 0) continue;
        const v = a[at + this.#lane[c]!]!;
        if (v === v) momentRemove(m, r + mo, v);
      }
      skip++;
    }
    if (skip === first) return;
    m[r + SKIP] = skip;
    for (let c = 0; c < this.#ncol; c++) {
      const mo = this.#momentAt[c]!;
      if (mo >= 0 && momentImprecise(m, r + mo)) this.#recomputeColumn(e, c, m, r + mo, head + skip, head + size);
    }
  }

  /** Recompute every column's sums from the events they hold. */
  #recomputeSums(e: number): void {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const head = m[r + HEAD]!;
    for (let c = 0; c < this.#ncol; c++) {
      const mo = this.#momentAt[c]!;
      if (mo >= 0) this.#recomputeColumn(e, c, m, r + mo, head + m[r + SKIP]!, head + m[r + SIZE]!);
    }
  }

  /**
   * Write entity `e`'s features in this window as of `t` (window [t − w, t)) into `out` at
   * `row`. Exact for any t ≥ newest − allowed lateness; callers enforce that bound.
   */
  read(e: number, t: number, out: FeatureOutputs, row: number): void {
    const host = this.#host;
    if (host !== undefined) {
      // The events in [t − w, t): the host's ring holds every one (t ≥ newest − lateness).
      const events = host.#firstFrom(e, t) - host.#firstFrom(e, t - this.#w);
      for (const f of this.#plan.features) out.num[f.index]![row] = events;
      return;
    }
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const mask = m[r + CAP]! - 1;
    const lo = this.#lifetime ? -Infinity : t - this.#w;
    // Retained events outside [lo, t): a prefix older than lo, and (for reads in the past) a
    // suffix at or after t.
    let skipHead = 0;
    const lanes = this.#lanes;
    while (skipHead < size && a[b + ((head + skipHead) & mask) * lanes]! < lo) skipHead++;
    let skipTail = 0;
    if (t <= m[r + KEY_MAX]!) {
      while (skipTail < size - skipHead && a[b + ((head + size - 1 - skipTail) & mask) * lanes]! >= t) skipTail++;
    }
    const past = skipTail > 0;
    const events = this.#lifetime ? m[r + this.#eventsAt]! - skipTail : size - skipHead - skipTail;
    const reading = this.#reading;
    for (let c = 0; c < this.#ncol; c++) if (this.#momentAt[c]! >= 0) this.#windowMoments(e, c, skipHead, skipTail);

    for (const f of this.#plan.features) {
      const c = f.column;
      switch (f.aggregation) {
        case 'count':
          // count() counts events; count(input) counts non-null values, kept in the moments.
          out.num[f.index]![row] = c < 0 ? events : momentValue('count', reading, c * MOMENT_SIZE);
          break;
        case 'sum':
        case 'mean':
        case 'variance':
        case 'std':
          out.num[f.index]![row] = momentValue(f.aggregation, reading, c * MOMENT_SIZE);
          break;
        case 'max':
        case 'min': {
          const isMax = f.aggregation === 'max';
          let v: number;
          if (!past) {
            v = this.#maxFrom(e, isMax ? this.#maxDeque[c]! : this.#minDeque[c]!, lo);
            if (!isMax) v = -v;
          } else {
            v = this.#scanExtreme(e, c, skipHead, skipTail, isMax);
          }
          if (this.#lifetime) {
            const folded = m[r + (isMax ? this.#foldMaxAt : this.#foldMinAt) + c]!;
            if (v !== v || (isMax ? folded > v : folded < v)) v = folded;
            if (!Number.isFinite(v)) v = NaN;
          }
          out.num[f.index]![row] = v;
          break;
        }
        case 'last':
        case 'lastK':
          this.#readLast(e, f.aggregation === 'last', f.output === 'number', f.index, c, f.k, skipHead, skipTail, out, row);
          break;
        case 'approxDistinct':
          out.num[f.index]![row] = this.#distinct(e, c, lo, past, skipHead, skipTail, this.#plan.columns[c]!.hllPrecision);
          break;
      }
    }
  }

  /**
   * The moments of the values in the window being read, ring positions [skipHead, size −
   * skipTail): the sums' (positions [SKIP, size)), less the events they hold outside the
   * window, plus (reads in the past) the window's events they no longer hold.
   */
  #windowMoments(e: number, c: number, skipHead: number, skipTail: number): void {
    const r = this.#record(e);
    const o = c * MOMENT_SIZE;
    const m = this.#reading;
    const meta = this.#records.page(e);
    momentCopy(meta, r + this.#momentAt[c]!, m, o);
    const skip = meta[r + SKIP]!;
    const size = meta[r + SIZE]!;
    const end = size - skipTail;
    if (skipHead === skip && end === size) return;
    const block = meta[r + BLOCK]!;
    const a = this.#store.page(block);
    const head = meta[r + HEAD]!;
    const mask = meta[r + CAP]! - 1;
    const lanes = this.#lanes;
    const values = offsetOf(block) + this.#lane[c]!;
    // Removals first: when every event of the sums goes, the block resets exactly.
    for (let i = skip; i < skipHead; i++) {
      const v = a[values + ((head + i) & mask) * lanes]!;
      if (v === v) momentRemove(m, o, v);
    }
    for (let i = Math.max(skip, end); i < size; i++) {
      const v = a[values + ((head + i) & mask) * lanes]!;
      if (v === v) momentRemove(m, o, v);
    }
    for (let i = skipHead, last = Math.min(skip, end); i < last; i++) {
      const v = a[values + ((head + i) & mask) * lanes]!;
      if (v === v) momentAdd(m, o, v);
    }
    if (!momentImprecise(m, o)) return;
    this.#recomputeColumn(e, c, m, o, head + skipHead, head + end);
    // Lifetime sums also hold folded events the ring no longer has: add their own moments.
    if (this.#lifetime) momentMerge(m, o, meta, r + this.#foldMomentAt[c]!);
  }

  /** Recompute the moments at `o` of `to` from column c's values at ring positions [from, end) of entity e. */
  #recomputeColumn(e: number, c: number, to: Float64Array, o: number, from: number, end: number): void {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    momentRecompute(to, o, this.#store.page(block), from, end, m[r + CAP]! - 1, offsetOf(block) + this.#lane[c]!, this.#lanes);
  }

  /**
   * Entity e's state as plain data, exact to the bit (floats travel as their bytes). Deques
   * and sliding sketches are not saved: `restore` rebuilds them from the retained events,
   * which determine them.
   */
  snapshot(e: number): WindowStateSnapshot {
    if (this.#host !== undefined) return this.#host.#countingSnapshot(e, this.#w);
    // Plain loops and methods, no closures: a snapshot visits every entity of every view.
    const m = this.#records.page(e);
    const r = this.#record(e);
    const n = this.#ncol;
    const size = m[r + SIZE]!;
    const head = m[r + HEAD]!;
    const life = this.#lifetime;
    const cols = this.#plan.columns;
    const num = new Array<string | null>(n);
    const any = new Array<(readonly unknown[]) | null>(n);
    let hasMoments = false;
    for (let c = 0; c < n; c++) {
      const lane = this.#lane[c]!;
      num[c] = lane > 0 ? this.#laneText(e, lane) : null;
      const k = this.#anyIndex[c]!;
      if (k < 0) {
        any[c] = null;
      } else {
        const values = this.#anyRings[e * this.#nany + k];
        const mask = m[r + CAP]! - 1;
        const out = new Array<unknown>(size);
        for (let i = 0; i < size; i++) out[i] = values?.[(head + i) & mask] ?? null;
        any[c] = out;
      }
      if (cols[c]!.moments) hasMoments = true;
    }
    const scalars = scratchFor(4);
    scalars[0] = m[r + KEY_MAX]!;
    scalars[1] = this.#eventsAt >= 0 ? m[r + this.#eventsAt]! : size;
    scalars[2] = this.#opsAt >= 0 ? m[r + this.#opsAt]! : 0;
    scalars[3] = m[r + SKIP]!;
    const scalarsText = scratchText(4);
    const lifeRegs: (string | null)[] = [];
    const foldRegs: (string | null)[] = [];
    const foldLast: ((readonly unknown[]) | null)[] = [];
    if (life) {
      for (let c = 0; c < n; c++) {
        const col = cols[c]!;
        if (this.#hasHll) {
          lifeRegs.push(col.hllPrecision > 0 ? this.#registersText(this.#lifeRegs[e * n + c], col.hllPrecision) : null);
          foldRegs.push(col.hllPrecision > 0 ? this.#registersText(this.#foldRegs[e * n + c], col.hllPrecision) : null);
        }
        foldLast.push(col.lastK > 0 ? [...(this.#foldLast[e * n + c] ?? [])] : null);
      }
    }
    return {
      size,
      times: this.#laneText(e, 0),
      num,
      any,
      scalars: scalarsText,
      moments: this.#momentsText(m, r, this.#momentAt, hasMoments),
      foldMoments: this.#momentsText(m, r, this.#foldMomentAt, life && hasMoments),
      lifeNonZero: this.#columnsText(m, r, this.#lifeNonZeroAt),
      lifeInverse: this.#columnsText(m, r, this.#lifeInverseAt),
      foldMin: this.#columnsText(m, r, this.#foldMinAt),
      foldMax: this.#columnsText(m, r, this.#foldMaxAt),
      lifeRegs,
      foldRegs,
      foldLast,
    };
  }

  /** Load the moment blocks at `offsets` of the record at `r` from their base64 (none when empty). */
  #restoreMoments(m: Float64Array, r: number, text: string, offsets: Int32Array): void {
    if (readF64(text) === 0) return;
    for (let c = 0; c < this.#ncol; c++) {
      const at = offsets[c]!;
      if (at >= 0) for (let i = 0; i < MOMENT_SIZE; i++) m[r + at + i] = scratch[c * MOMENT_SIZE + i]!;
    }
  }

  /**
   * The snapshot a window of counts only, of length `w`, would take of entity e with a ring
   * of its own, from this window's ring: the events since newest − w − lateness (a window
   * keeps no older ones), of which those before newest − w are no longer in its sums (SKIP).
   * The same text, so a counting window's snapshots are those it took before it counted.
   */
  #countingSnapshot(e: number, w: number): WindowStateSnapshot {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const newest = m[r + KEY_MAX]!;
    const first = this.#firstFrom(e, newest - w - this.#lateness);
    const size = m[r + SIZE]! - first;
    const skip = this.#firstFrom(e, newest - w) - first;
    const times = this.#laneText(e, 0, first);
    const scalars = scratchFor(4);
    scalars[0] = newest;
    scalars[1] = size;
    scalars[2] = 0;
    scalars[3] = skip;
    return {
      size,
      times,
      num: [],
      any: [],
      scalars: scratchText(4),
      moments: '',
      foldMoments: '',
      lifeNonZero: '',
      lifeInverse: '',
      foldMin: '',
      foldMax: '',
      lifeRegs: [],
      foldRegs: [],
      foldLast: [],
    };
  }

  /** Base64 of lane `lane` of entity e's ring, oldest event first, from ring position `from` on. */
  #laneText(e: number, lane: number, from = 0): string {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const size = m[r + SIZE]! - from;
    const head = m[r + HEAD]! + from;
    const mask = m[r + CAP]! - 1;
    const lanes = this.#lanes;
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const at = offsetOf(block) + lane;
    const out = scratchFor(size);
    for (let i = 0; i < size; i++) out[i] = a[at + ((head + i) & mask) * lanes]!;
    return scratchText(size);
  }

  /** Base64 of the moment blocks at `offsets` of the record at `r` (zeros for columns without), '' when not `present`. */
  #momentsText(m: Float64Array, r: number, offsets: Int32Array, present: boolean): string {
    if (!present) return '';
    const n = this.#ncol;
    const out = scratchFor(n * MOMENT_SIZE).fill(0, 0, n * MOMENT_SIZE);
    for (let c = 0; c < n; c++) {
      const at = offsets[c]!;
      if (at >= 0) for (let i = 0; i < MOMENT_SIZE; i++) out[c * MOMENT_SIZE + i] = m[r + at + i]!;
    }
    return scratchText(n * MOMENT_SIZE);
  }

  /** Base64 of one double per column from `at` of the record at `r`, '' without (at < 0). */
  #columnsText(m: Float64Array, r: number, at: number): string {
    return at < 0 ? '' : f64(m, r + at, this.#ncol);
  }

  /** Base64 of a sketch's registers (zeros when it has none yet). */
  #registersText(regs: Uint8Array | undefined, precision: number): string {
    return Buffer.from(regs ?? new Uint8Array(1 << precision)).toString('base64');
  }

  /**
   * Empty entity e's part of its record, as if just added: its ring goes back to the store,
   * its sketches and raw values are dropped. `restore` can then load another state over it.
   */
  clear(e: number): void {
    if (this.#host !== undefined) return;
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    if (block !== 0 && block !== this.#inlineAddress(e)) this.#store.free(block, m[r + CAP]! * this.#lanes);
    m.fill(0, r, r + this.#stride);
    const n = this.#ncol;
    for (let c = 0; c < n; c++) {
      this.#sliding[e * n + c] = undefined;
      this.#lifeRegs[e * n + c] = undefined;
      this.#foldRegs[e * n + c] = undefined;
      this.#foldLast[e * n + c] = undefined;
    }
    this.initEntity(e);
  }

  /**
   * Make entity e (just added, see initEntity, or cleared) equal to the one `snapshot` was
   * taken of: the same reads, and the same after more events.
   */
  restore(e: number, snap: WindowStateSnapshot): void {
    // A counting window's state is its host's (restored from the host's own snapshot).
    if (this.#host !== undefined) return;
    this.initEntity(e);
    const n = this.#ncol;
    let capacity = INLINE_CAPACITY;
    while (capacity < snap.size) capacity *= 2;
    if (capacity > INLINE_CAPACITY) this.#resize(e, capacity);
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    const lanes = this.#lanes;
    m[r + SIZE] = snap.size;
    copyF64(snap.times, a, b, capacity, lanes);
    for (let c = 0; c < n; c++) {
      const num = snap.num[c];
      if (num != null) copyF64(num, a, b + this.#lane[c]!, capacity, lanes);
      const any = snap.any[c];
      if (any != null) {
        const ring = this.#anyRings[e * this.#nany + this.#anyIndex[c]!]!;
        for (let i = 0; i < any.length; i++) ring[i] = any[i];
      }
    }
    const scalarCount = readF64(snap.scalars);
    const keyMax = scratch[0]!;
    m[r + KEY_MAX] = keyMax;
    if (this.#eventsAt >= 0) m[r + this.#eventsAt] = scratch[1]!;
    if (this.#opsAt >= 0) m[r + this.#opsAt] = scratch[2]!;
    m[r + SKIP] = scalarCount < 4 ? 0 : scratch[3]!;
    // Plain loops and methods, no closures: a restore visits every entity of every view.
    this.#restoreMoments(m, r, snap.moments, this.#momentAt);
    this.#restoreMoments(m, r, snap.foldMoments, this.#foldMomentAt);
    if (this.#lifeNonZeroAt >= 0) copyF64(snap.lifeNonZero, m, r + this.#lifeNonZeroAt, n);
    if (this.#lifeInverseAt >= 0) copyF64(snap.lifeInverse, m, r + this.#lifeInverseAt, n);
    if (this.#foldMinAt >= 0) copyF64(snap.foldMin, m, r + this.#foldMinAt, n);
    if (this.#foldMaxAt >= 0) copyF64(snap.foldMax, m, r + this.#foldMaxAt, n);
    for (let c = 0; c < snap.lifeRegs.length; c++) {
      const text = snap.lifeRegs[c];
      if (text != null) this.#lifeRegs[e * n + c] = new Uint8Array(Buffer.from(text, 'base64'));
    }
    for (let c = 0; c < snap.foldRegs.length; c++) {
      const text = snap.foldRegs[c];
      if (text != null) this.#foldRegs[e * n + c] = new Uint8Array(Buffer.from(text, 'base64'));
    }
    for (let c = 0; c < snap.foldLast.length; c++) {
      const values = snap.foldLast[c];
      if (values != null) this.#foldLast[e * n + c] = [...values];
    }
    if (scalarCount < 4 && !this.#lifetime) {
      // A snapshot of version 1, whose sums held every retained event: the sums now hold the
      // newest event's window only.
      let skip = 0;
      while (skip < snap.size && a[b + skip * lanes]! < keyMax - this.#w) skip++;
      m[r + SKIP] = skip;
      if (this.#opsAt >= 0) m[r + this.#opsAt] = 0;
      this.#recomputeSums(e);
    }
    this.#rebuildDeques(e);
    const cols = this.#plan.columns;
    for (let c = 0; c < n; c++) {
      if (this.#lifetime || cols[c]!.hllPrecision === 0) continue;
      const hashes = b + this.#lane[c]!;
      for (let i = 0; i < snap.size; i++) {
        const h = a[hashes + i * lanes]!;
        if (h === h) this.#slidingOf(e, c).add(a[b + i * lanes]!, h, keyMax - this.#w - this.#lateness);
      }
    }
  }

  // ---- min / max: monotonic deques (the "ascending minima" algorithm) ---------------------
  // Entries in time order with strictly decreasing values, so the maximum of every suffix of
  // the window is at hand; minima use a deque of negated values. Amortised O(1) per event.

  /**
   * Push the event at ring slot `slot`, of value `v` (negated for minima), onto deque d of
   * the record at `r` of `m`, whose ring is at `b` of `a`.
   */
  #push(m: Float64Array, r: number, a: Float64Array, b: number, cap: number, d: number, slot: number, v: number): void {
    const at = r + FIXED + 2 * d;
    const head = m[at]!;
    let size = m[at + 1]!;
    const mask = cap - 1;
    const lanes = this.#lanes;
    const entries = b + this.#dequeLane + d;
    const values = b + this.#dequeValueLane[d]!;
    const negated = this.#dequeNegated[d] === 1;
    // A later value at least as large dominates: the earlier one can never be a maximum again.
    while (size > 0) {
      const x = a[values + a[entries + ((head + size - 1) & mask) * lanes]! * lanes]!;
      if ((negated ? -x : x) > v) break;
      size--;
    }
    a[entries + ((head + size) & mask) * lanes] = slot;
    m[at + 1] = size + 1;
  }

  /** The value (negated for minima) of deque d's first entry at or after `lo` (all being before the read time); NaN if none. */
  #maxFrom(e: number, d: number, lo: number): number {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const head = m[r + FIXED + 2 * d]!;
    const size = m[r + FIXED + 2 * d + 1]!;
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const lanes = this.#lanes;
    const b = offsetOf(block);
    const entries = b + this.#dequeLane + d;
    for (let i = 0; i < size; i++) {
      const slot = b + a[entries + ((head + i) & mask) * lanes]! * lanes;
      if (a[slot]! >= lo) {
        const x = a[slot + this.#dequeValueLane[d]!]!;
        return this.#dequeNegated[d] === 1 ? -x : x;
      }
    }
    return NaN;
  }

  #scanExtreme(e: number, c: number, skipHead: number, skipTail: number, isMax: boolean): number {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const lanes = this.#lanes;
    const values = offsetOf(block) + this.#lane[c]!;
    let best = NaN;
    for (let i = skipHead; i < size - skipTail; i++) {
      const v = a[values + ((head + i) & mask) * lanes]!;
      if (v !== v) continue;
      if (best !== best || (isMax ? v > best : v < best)) best = v;
    }
    return best;
  }

  #rebuildDeques(e: number): void {
    const m = this.#records.page(e);
    const r = this.#record(e);
    if (this.#ndeque === 0) return;
    m[r + this.#dirtyAt] = 0;
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    for (let d = 0; d < this.#ndeque; d++) m[r + FIXED + 2 * d] = m[r + FIXED + 2 * d + 1] = 0;
    for (let c = 0; c < this.#ncol; c++) {
      const dMax = this.#maxDeque[c]!;
      const dMin = this.#minDeque[c]!;
      if (dMax < 0 && dMin < 0) continue;
      const lane = this.#lane[c]!;
      for (let i = 0; i < size; i++) {
        const slot = (head + i) & mask;
        const v = a[b + slot * this.#lanes + lane]!;
        if (v !== v) continue;
        if (dMax >= 0) this.#push(m, r, a, b, cap, dMax, slot, v);
        if (dMin >= 0) this.#push(m, r, a, b, cap, dMin, slot, -v);
      }
    }
  }

  #dropFromDeques(m: Float64Array, r: number, a: Float64Array, b: number, cap: number, bound: number): void {
    const mask = cap - 1;
    const lanes = this.#lanes;
    for (let d = 0; d < this.#ndeque; d++) {
      const at = r + FIXED + 2 * d;
      let head = m[at]!;
      let size = m[at + 1]!;
      // An entry's event may have just left the ring: its slot keeps its time until reused.
      const entries = b + this.#dequeLane + d;
      while (size > 0 && a[b + a[entries + head * lanes]! * lanes]! < bound) {
        head = (head + 1) & mask;
        size--;
      }
      m[at] = head;
      m[at + 1] = size;
    }
  }

  // ---- last / lastK --------------------------------------------------------------------

  #readLast(
    e: number,
    single: boolean,
    numeric: boolean,
    index: number,
    c: number,
    k: number,
    skipHead: number,
    skipTail: number,
    out: FeatureOutputs,
    row: number,
  ): void {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const lane = this.#lane[c]!;
    const values = offsetOf(block) + lane;
    const any = lane > 0 ? undefined : this.#anyRings[e * this.#nany + this.#anyIndex[c]!];
    const want = single ? 1 : k;
    const found: unknown[] = [];
    for (let i = size - 1 - skipTail; i >= skipHead && found.length < want; i--) {
      const at = (head + i) & mask;
      if (lane > 0) {
        const v = a[values + at * this.#lanes]!;
        if (v === v) found.push(v);
      } else {
        const v = any![at];
        if (v !== null && v !== undefined) found.push(v);
      }
    }
    const folded = this.#foldLast[e * this.#ncol + c];
    if (folded && found.length < want) {
      for (let i = folded.length - 1; i >= 0 && found.length < want; i--) found.push(folded[i]);
    }
    if (single) {
      const v = found.length > 0 ? found[0] : null;
      if (numeric) out.num[index]![row] = v === null ? NaN : (v as number);
      else out.any[index]![row] = v;
    } else {
      out.any[index]![row] = found;
    }
  }

  // ---- distinct counts -----------------------------------------------------------------

  #slidingOf(e: number, c: number): SlidingRegisters {
    const at = e * this.#ncol + c;
    return (this.#sliding[at] ??= new SlidingRegisters(this.#plan.columns[c]!.hllPrecision));
  }

  #registers(list: (Uint8Array | undefined)[], e: number, c: number): Uint8Array {
    const at = e * this.#ncol + c;
    return (list[at] ??= new Uint8Array(1 << this.#plan.columns[c]!.hllPrecision));
  }

  /** `keyMax` is the entity's newest event time before this event. */
  #addHash(e: number, c: number, t: number, hash: number, keyMax: number): void {
    if (!this.#lifetime) {
      this.#slidingOf(e, c).add(t, hash, keyMax - this.#w - this.#lateness);
      return;
    }
    const regs = this.#registers(this.#lifeRegs, e, c);
    const p = this.#plan.columns[c]!.hllPrecision;
    const reg = registerOf(hash, p);
    const rank = rankOf(hash, p);
    const old = regs[reg]!;
    if (rank <= old) return;
    // Sums of powers of two: exact in doubles, so the estimate is order-independent.
    const m = this.#records.page(e);
    const r = this.#record(e);
    if (old === 0) m[r + this.#lifeNonZeroAt + c]!++;
    else m[r + this.#lifeInverseAt + c]! -= 2 ** -old;
    m[r + this.#lifeInverseAt + c]! += 2 ** -rank;
    regs[reg] = rank;
  }

  #distinct(e: number, c: number, lo: number, past: boolean, skipHead: number, skipTail: number, p: number): number {
    const m = this.#records.page(e);
    const r = this.#record(e);
    if (!past) {
      if (!this.#lifetime) return this.#sliding[e * this.#ncol + c]?.estimateFrom(lo) ?? 0;
      return estimate(1 << p, m[r + this.#lifeNonZeroAt + c]!, m[r + this.#lifeInverseAt + c]!);
    }
    const folded = this.#foldRegs[e * this.#ncol + c];
    const regs = folded ? Uint8Array.from(folded) : new Uint8Array(1 << p);
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const hashes = offsetOf(block) + this.#lane[c]!;
    for (let i = skipHead; i < size - skipTail; i++) {
      const h = a[hashes + ((head + i) & mask) * this.#lanes]!;
      if (h !== h) continue;
      const reg = registerOf(h, p);
      const rank = rankOf(h, p);
      if (rank > regs[reg]!) regs[reg] = rank;
    }
    return estimateRegisters(regs);
  }

  // ---- ring ----------------------------------------------------------------------------

  /**
   * Drop retained events older than `bound` from the ring: for lifetime windows, fold them
   * into the running aggregates; a finite window's sums no longer hold them. `applyRun`'s
   * generated loop performs the finite, numeric case inline: change the two together.
   */
  #drop(e: number, bound: number): void {
    const cols = this.#plan.columns;
    const lifetime = this.#lifetime;
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    let head = m[r + HEAD]!;
    let size = m[r + SIZE]!;
    const n = this.#ncol;
    // A finite window's sums no longer hold these events: only raw values need clearing.
    const perColumn = lifetime || this.#nany > 0;
    const lanes = this.#lanes;
    while (size > 0 && a[b + head * lanes]! < bound) {
      const at = head;
      if (!perColumn) {
        head = (head + 1) & mask;
        size--;
        continue;
      }
      for (let c = 0; c < n; c++) {
        const lane = this.#lane[c]!;
        if (lane === 0) {
          const any = this.#anyRings[e * this.#nany + this.#anyIndex[c]!]!;
          const v = any[at];
          any[at] = undefined;
          if (lifetime && v !== null && v !== undefined) this.#foldLastValue(e, c, v);
          continue;
        }
        const v = a[b + at * lanes + lane]!;
        if (v !== v || !lifetime) continue;
        const col = cols[c]!;
        const fo = this.#foldMomentAt[c]!;
        if (fo >= 0) momentAdd(m, r + fo, v);
        if (col.max && v > m[r + this.#foldMaxAt + c]!) m[r + this.#foldMaxAt + c] = v;
        if (col.min && v < m[r + this.#foldMinAt + c]!) m[r + this.#foldMinAt + c] = v;
        if (col.lastK > 0) this.#foldLastValue(e, c, v);
        if (col.hllPrecision > 0) {
          const folded = this.#registers(this.#foldRegs, e, c);
          const reg = registerOf(v, col.hllPrecision);
          const rank = rankOf(v, col.hllPrecision);
          if (rank > folded[reg]!) folded[reg] = rank;
        }
      }
      head = (head + 1) & mask;
      size--;
    }
    if (!lifetime) m[r + SKIP]! -= m[r + SIZE]! - size;
    m[r + HEAD] = head;
    m[r + SIZE] = size;
    this.#dropFromDeques(m, r, a, b, cap, bound);
  }

  #foldLastValue(e: number, c: number, v: unknown): void {
    const k = this.#plan.columns[c]!.lastK;
    const folded = (this.#foldLast[e * this.#ncol + c] ??= []);
    folded.push(v);
    if (folded.length > k) folded.shift();
  }

  /** Make room for a late event at its place in time order (after equal times); returns its slot. */
  #openSlot(e: number, t: number): number {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const block = m[r + BLOCK]!;
    const a = this.#store.page(block);
    const b = offsetOf(block);
    const cap = m[r + CAP]!;
    const mask = cap - 1;
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const lanes = this.#lanes;
    let pos = size;
    while (pos > 0 && a[b + ((head + pos - 1) & mask) * lanes]! > t) pos--;
    for (let i = size; i > pos; i--) {
      const to = (head + i) & mask;
      const from = (head + i - 1) & mask;
      a[b + to * lanes] = a[b + from * lanes]!;
      for (let c = 0; c < this.#ncol; c++) {
        const lane = this.#lane[c]!;
        if (lane > 0) a[b + to * lanes + lane] = a[b + from * lanes + lane]!;
        else {
          const any = this.#anyRings[e * this.#nany + this.#anyIndex[c]!]!;
          any[to] = any[from];
        }
      }
    }
    return (head + pos) & mask;
  }

  /** Move entity e's ring (and deques) to a block of `capacity` events, oldest first. */
  #resize(e: number, capacity: number): void {
    const m = this.#records.page(e);
    const r = this.#record(e);
    const lanes = this.#lanes;
    const next = this.#store.alloc(capacity * lanes);
    const to = this.#store.page(next);
    const toAt = offsetOf(next);
    const oldCap = m[r + CAP]!;
    const oldBlock = m[r + BLOCK]!;
    const from = this.#store.page(oldBlock);
    const fromAt = offsetOf(oldBlock);
    const head = m[r + HEAD]!;
    const size = m[r + SIZE]!;
    const mask = oldCap - 1;
    // Events in time order from slot 0, each slot's lanes together; deque entries likewise,
    // each naming its event's new slot.
    const ringLanes = this.#dequeLane;
    for (let i = 0; i < size; i++) {
      const source = fromAt + ((head + i) & mask) * lanes;
      const target = toAt + i * lanes;
      for (let lane = 0; lane < ringLanes; lane++) to[target + lane] = from[source + lane]!;
    }
    for (let d = 0; d < this.#ndeque; d++) {
      const at = r + FIXED + 2 * d;
      const dHead = m[at]!;
      const dSize = m[at + 1]!;
      const lane = this.#dequeLane + d;
      for (let i = 0; i < dSize; i++) {
        to[toAt + i * lanes + lane] = (from[fromAt + ((dHead + i) & mask) * lanes + lane]! - head) & mask;
      }
      m[at] = 0;
    }
    // The inline ring stays part of the record; a block of the store goes back for reuse.
    if (oldBlock !== this.#inlineAddress(e)) this.#store.free(oldBlock, oldCap * lanes);
    for (let k = 0; k < this.#nany; k++) {
      const at = e * this.#nany + k;
      const old = this.#anyRings[at];
      const ring = new Array<unknown>(capacity).fill(undefined);
      if (old) for (let i = 0; i < size; i++) ring[i] = old[(head + i) & mask];
      this.#anyRings[at] = ring;
    }
    m[r + HEAD] = 0;
    m[r + CAP] = capacity;
    m[r + BLOCK] = next;
  }
}
