import { estimate, estimateRegisters, rankOf, registerOf, SlidingRegisters } from './hll.js';
import { MaxDeque } from './max-deque.js';
import { MOMENT_SIZE, momentAdd, momentCopy, momentImprecise, momentMerge, momentRecompute, momentRemove, momentValue } from './moments.js';
import type { WindowPlan } from './plan.js';

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

/**
 * The stream driver's state of one entity for one window length. The backfill kernel
 * (sweep.ts) is this class specialised to sorted columns and must keep its rules: the same
 * drops, recomputations and moment operations (moments.ts) in the same order.
 *
 * Events are kept in a time-ordered ring while a read may still need them: for a window w
 * and allowed lateness L, every read is at or after (newest − L), so events before
 * (newest − w − L) are dropped (subtracted from running sums). Lifetime windows fold dropped
 * events into running aggregates instead. Reads never mutate: events that fall out of
 * [t − w, t) but are still retained are subtracted on the fly, so the state — and therefore
 * every value — depends only on the sequence of applied events, not on when reads happen.
 *
 * Sums use shifted data (x − K, K a value from the window) with compensated summation, and
 * are recomputed from the retained events after every ~2n updates and whenever they have
 * become imprecise for what remains (moments.ts).
 */
/** A WindowState as plain data; numbers are Float64 bytes in base64, so they come back exact. */
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

function f64(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function fromF64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

const NO_NUMBERS = new Float64Array(0);
const NONE: readonly null[] = Object.freeze([]);
/** The moments of the window being read (reads are synchronous, so one buffer serves all). */
let reading = new Float64Array(8 * MOMENT_SIZE);

export class WindowState {
  readonly #plan: WindowPlan;
  readonly #w: number;
  readonly #lifetime: boolean;
  readonly #lateness: number;
  readonly #ncol: number;

  #cap = 0;
  #mask = 0;
  #head = 0;
  #size = 0;
  #times: Float64Array;
  readonly #num: (Float64Array | null)[];
  readonly #any: (unknown[] | null)[];
  #keyMax = -Infinity;
  /** Events in the sums: ring events, plus folded ones for lifetime windows. */
  #events = 0;
  #ops = 0;

  /** Moments per column, MOMENT_SIZE slots each (see moments.ts). */
  readonly #moments: Float64Array;
  /** Lifetime windows: the moments of the folded events alone, for reads in the past. */
  readonly #foldMoments: Float64Array;

  readonly #max: readonly (MaxDeque | null)[];
  readonly #min: readonly (MaxDeque | null)[];
  #dequesDirty = false;
  readonly #hll: readonly (SlidingRegisters | null)[];
  // Lifetime distinct counts: registers of every event (maintained estimate sums) and of folded ones.
  readonly #lifeRegs: readonly (Uint8Array | null)[];
  readonly #lifeNonZero: Float64Array;
  readonly #lifeInverse: Float64Array;
  readonly #foldRegs: readonly (Uint8Array | null)[];
  // Lifetime folds of dropped events.
  readonly #foldMin: Float64Array;
  readonly #foldMax: Float64Array;
  readonly #foldLast: readonly (unknown[] | null)[];

  constructor(plan: WindowPlan, latenessMs: number) {
    this.#plan = plan;
    this.#w = plan.windowMs;
    const life = (this.#lifetime = !Number.isFinite(plan.windowMs));
    this.#lateness = latenessMs;
    const cols = plan.columns;
    const n = (this.#ncol = cols.length);
    // An online store holds this per entity and window: allocate only what the plan uses,
    // and share empty arrays for the rest.
    this.#times = NO_NUMBERS;
    this.#num = cols.map((c) => (c.storage === 'number' ? NO_NUMBERS : null));
    this.#any = cols.map((c) => (c.storage === 'any' ? [] : null));
    this.#moments = cols.some((c) => c.moments) ? new Float64Array(n * MOMENT_SIZE) : NO_NUMBERS;
    this.#max = cols.some((c) => c.max) ? cols.map((c) => (c.max ? new MaxDeque() : null)) : NONE;
    this.#min = cols.some((c) => c.min) ? cols.map((c) => (c.min ? new MaxDeque() : null)) : NONE;
    const hll = cols.some((c) => c.hllPrecision > 0);
    this.#hll = hll && !life ? cols.map((c) => (c.hllPrecision > 0 ? new SlidingRegisters(c.hllPrecision) : null)) : NONE;
    this.#lifeRegs = hll && life ? cols.map((c) => (c.hllPrecision > 0 ? new Uint8Array(1 << c.hllPrecision) : null)) : NONE;
    this.#foldRegs = hll && life ? cols.map((c) => (c.hllPrecision > 0 ? new Uint8Array(1 << c.hllPrecision) : null)) : NONE;
    this.#lifeNonZero = hll && life ? new Float64Array(n) : NO_NUMBERS;
    this.#lifeInverse = hll && life ? new Float64Array(n) : NO_NUMBERS;
    this.#foldMoments = life && this.#moments !== NO_NUMBERS ? new Float64Array(n * MOMENT_SIZE) : NO_NUMBERS;
    this.#foldMin = life ? new Float64Array(n).fill(Infinity) : NO_NUMBERS;
    this.#foldMax = life ? new Float64Array(n).fill(-Infinity) : NO_NUMBERS;
    this.#foldLast = life ? cols.map((c) => (c.lastK > 0 ? [] : null)) : NONE;
    this.#resize(4);
  }

  /** The newest event time applied, -Infinity before any. */
  get newest(): number {
    return this.#keyMax;
  }

  /**
   * Apply the event at `row` of `data`, with event time `t`. The order of operations is part
   * of the contract: the backfill kernel (sweep.ts) performs the same ones on the moments, so
   * the same events give the same bits.
   */
  apply(t: number, data: SlotData, row: number): void {
    if (this.#size === this.#cap) this.#resize(this.#cap * 2);
    const cols = this.#plan.columns;
    const late = t < this.#keyMax;
    let at: number;
    if (!late) {
      at = (this.#head + this.#size) & this.#mask;
    } else {
      at = this.#openSlot(t);
      this.#dequesDirty = true;
    }
    this.#size++;
    this.#times[at] = t;
    this.#events++;
    for (let c = 0; c < this.#ncol; c++) {
      const col = cols[c]!;
      const num = this.#num[c];
      if (num != null) {
        const v = data.num[col.slot]![row]!;
        num[at] = v;
        if (v !== v) continue; // null
        if (col.moments) momentAdd(this.#moments, c * MOMENT_SIZE, v);
        if (!late) {
          this.#max[c]?.push(t, v);
          this.#min[c]?.push(t, -v);
        }
        if (col.hllPrecision > 0) this.#addHash(c, t, v);
      } else {
        const v = data.any[col.slot]![row];
        this.#any[c]![at] = v === undefined ? null : v;
      }
    }
    if (t > this.#keyMax) this.#keyMax = t;

    let recompute = !this.#lifetime && ++this.#ops > 2 * this.#size + 32;
    const bound = this.#lifetime ? this.#keyMax - this.#lateness : this.#keyMax - this.#w - this.#lateness;
    if (this.#size > 0 && this.#times[this.#head]! < bound) {
      this.#drop(bound);
      if (!this.#lifetime && !recompute) {
        for (let c = 0; c < this.#ncol && !recompute; c++) recompute = cols[c]!.moments && momentImprecise(this.#moments, c * MOMENT_SIZE);
      }
    }
    if (this.#dequesDirty) this.#rebuildDeques();
    if (recompute) {
      this.#ops = 0;
      for (let c = 0; c < this.#ncol; c++) {
        if (cols[c]!.moments) momentRecompute(this.#moments, c * MOMENT_SIZE, this.#num[c]!, this.#head, this.#head + this.#size, this.#mask);
      }
    }
  }

  /**
   * Write this window's features as of `t` (window [t − w, t)) into `out` at `row`.
   * Exact for any t ≥ newest − allowed lateness; callers enforce that bound.
   */
  read(t: number, out: FeatureOutputs, row: number): void {
    const lo = this.#lifetime ? -Infinity : t - this.#w;
    const mask = this.#mask;
    const times = this.#times;
    const cols = this.#plan.columns;
    // Retained events outside [lo, t): a prefix older than lo, and (for reads in the past) a
    // suffix at or after t.
    let skipHead = 0;
    while (skipHead < this.#size && times[(this.#head + skipHead) & mask]! < lo) skipHead++;
    let skipTail = 0;
    if (t <= this.#keyMax) {
      while (skipTail < this.#size - skipHead && times[(this.#head + this.#size - 1 - skipTail) & mask]! >= t) skipTail++;
    }
    const past = skipTail > 0;
    const events = this.#lifetime ? this.#events - skipTail : this.#size - skipHead - skipTail;
    for (let c = 0; c < this.#ncol; c++) if (cols[c]!.moments) this.#windowMoments(c, skipHead, skipTail);

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
            const dq = isMax ? this.#max[c]! : this.#min[c]!;
            v = dq.maxFrom(lo);
            if (!isMax) v = -v;
          } else {
            v = this.#scanExtreme(c, skipHead, skipTail, isMax);
          }
          if (this.#lifetime) {
            const folded = isMax ? this.#foldMax[c]! : this.#foldMin[c]!;
            if (v !== v || (isMax ? folded > v : folded < v)) v = folded;
            if (!Number.isFinite(v)) v = NaN;
          }
          out.num[f.index]![row] = v;
          break;
        }
        case 'last':
        case 'lastK':
          this.#readLast(f.aggregation === 'last', f.output === 'number', f.index, c, f.k, skipHead, skipTail, out, row);
          break;
        case 'approxDistinct':
          out.num[f.index]![row] = this.#distinct(c, lo, past, skipHead, skipTail, cols[c]!.hllPrecision);
          break;
      }
    }
  }

  /** The moments of the values in the window being read: the state's, less the skipped events. */
  #windowMoments(c: number, skipHead: number, skipTail: number): void {
    const o = c * MOMENT_SIZE;
    if (reading.length < this.#moments.length) reading = new Float64Array(this.#moments.length);
    const m = reading;
    momentCopy(this.#moments, o, m, o);
    if (skipHead + skipTail === 0) return;
    const num = this.#num[c]!;
    const mask = this.#mask;
    for (let i = 0; i < skipHead; i++) {
      const v = num[(this.#head + i) & mask]!;
      if (v === v) momentRemove(m, o, v);
    }
    for (let i = this.#size - skipTail; i < this.#size; i++) {
      const v = num[(this.#head + i) & mask]!;
      if (v === v) momentRemove(m, o, v);
    }
    if (!momentImprecise(m, o)) return;
    momentRecompute(m, o, num, this.#head + skipHead, this.#head + this.#size - skipTail, mask);
    // Lifetime sums also hold folded events the ring no longer has: add their own moments.
    if (this.#lifetime) momentMerge(m, o, this.#foldMoments, o);
  }

  /**
   * The state as plain data, exact to the bit (floats travel as their bytes). Deques and
   * sliding sketches are not saved: `restore` rebuilds them from the retained events, which
   * determine them.
   */
  snapshot(): WindowStateSnapshot {
    const ring = (values: Float64Array): string => {
      const out = new Float64Array(this.#size);
      for (let i = 0; i < this.#size; i++) out[i] = values[(this.#head + i) & this.#mask]!;
      return f64(out);
    };
    return {
      size: this.#size,
      times: ring(this.#times),
      num: this.#num.map((values) => (values == null ? null : ring(values))),
      any: this.#any.map((values) => (values == null ? null : Array.from({ length: this.#size }, (_, i) => values[(this.#head + i) & this.#mask] ?? null))),
      scalars: f64(Float64Array.of(this.#keyMax, this.#events, this.#ops)),
      moments: f64(this.#moments),
      foldMoments: f64(this.#foldMoments),
      lifeNonZero: f64(this.#lifeNonZero),
      lifeInverse: f64(this.#lifeInverse),
      foldMin: f64(this.#foldMin),
      foldMax: f64(this.#foldMax),
      lifeRegs: this.#lifeRegs.map((r) => (r == null ? null : Buffer.from(r).toString('base64'))),
      foldRegs: this.#foldRegs.map((r) => (r == null ? null : Buffer.from(r).toString('base64'))),
      foldLast: this.#foldLast.map((values) => (values == null ? null : [...values])),
    };
  }

  /** A state equal to the one `snapshot` was taken of: the same reads, and the same after more events. */
  static restore(plan: WindowPlan, latenessMs: number, snap: WindowStateSnapshot): WindowState {
    const state = new WindowState(plan, latenessMs);
    state.#fill(snap);
    return state;
  }

  #fill(snap: WindowStateSnapshot): void {
    let capacity = 4;
    while (capacity < snap.size) capacity *= 2;
    this.#resize(capacity);
    this.#size = snap.size;
    this.#times.set(fromF64(snap.times));
    for (let c = 0; c < this.#ncol; c++) {
      const num = snap.num[c];
      if (num != null) this.#num[c]!.set(fromF64(num));
      const any = snap.any[c];
      if (any != null) any.forEach((v, i) => (this.#any[c]![i] = v));
    }
    const [keyMax, events, ops] = fromF64(snap.scalars);
    this.#keyMax = keyMax!;
    this.#events = events!;
    this.#ops = ops!;
    this.#moments.set(fromF64(snap.moments));
    this.#foldMoments.set(fromF64(snap.foldMoments));
    this.#lifeNonZero.set(fromF64(snap.lifeNonZero));
    this.#lifeInverse.set(fromF64(snap.lifeInverse));
    this.#foldMin.set(fromF64(snap.foldMin));
    this.#foldMax.set(fromF64(snap.foldMax));
    snap.lifeRegs.forEach((r, c) => r != null && this.#lifeRegs[c]!.set(Buffer.from(r, 'base64')));
    snap.foldRegs.forEach((r, c) => r != null && this.#foldRegs[c]!.set(Buffer.from(r, 'base64')));
    snap.foldLast.forEach((values, c) => values != null && this.#foldLast[c]!.push(...values));
    this.#rebuildDeques();
    for (let c = 0; c < this.#ncol; c++) {
      const sliding = this.#hll[c];
      if (sliding == null) continue;
      const hashes = this.#num[c]!;
      for (let i = 0; i < this.#size; i++) {
        const h = hashes[i]!;
        if (h === h) sliding.add(this.#times[i]!, h, this.#keyMax - this.#w - this.#lateness);
      }
    }
  }

  // ---- min / max -----------------------------------------------------------------------

  #scanExtreme(c: number, skipHead: number, skipTail: number, isMax: boolean): number {
    const num = this.#num[c]!;
    let best = NaN;
    for (let i = skipHead; i < this.#size - skipTail; i++) {
      const v = num[(this.#head + i) & this.#mask]!;
      if (v !== v) continue;
      if (best !== best || (isMax ? v > best : v < best)) best = v;
    }
    return best;
  }

  #rebuildDeques(): void {
    this.#dequesDirty = false;
    for (let c = 0; c < this.#ncol; c++) {
      const max = this.#max[c];
      const min = this.#min[c];
      if (max == null && min == null) continue;
      max?.clear();
      min?.clear();
      const num = this.#num[c]!;
      for (let i = 0; i < this.#size; i++) {
        const at = (this.#head + i) & this.#mask;
        const v = num[at]!;
        if (v !== v) continue;
        max?.push(this.#times[at]!, v);
        min?.push(this.#times[at]!, -v);
      }
    }
  }

  // ---- last / lastK --------------------------------------------------------------------

  #readLast(
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
    const num = this.#num[c];
    const any = this.#any[c];
    const want = single ? 1 : k;
    const found: unknown[] = [];
    for (let i = this.#size - 1 - skipTail; i >= skipHead && found.length < want; i--) {
      const at = (this.#head + i) & this.#mask;
      if (num) {
        const v = num[at]!;
        if (v === v) found.push(v);
      } else {
        const v = any![at];
        if (v !== null && v !== undefined) found.push(v);
      }
    }
    const folded = this.#foldLast[c];
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

  #addHash(c: number, t: number, hash: number): void {
    const sliding = this.#hll[c];
    if (sliding) {
      sliding.add(t, hash, this.#keyMax - this.#w - this.#lateness);
      return;
    }
    const regs = this.#lifeRegs[c]!;
    const p = this.#plan.columns[c]!.hllPrecision;
    const reg = registerOf(hash, p);
    const rank = rankOf(hash, p);
    const old = regs[reg]!;
    if (rank <= old) return;
    // Sums of powers of two: exact in doubles, so the estimate is order-independent.
    if (old === 0) this.#lifeNonZero[c]!++;
    else this.#lifeInverse[c]! -= 2 ** -old;
    this.#lifeInverse[c]! += 2 ** -rank;
    regs[reg] = rank;
  }

  #distinct(c: number, lo: number, past: boolean, skipHead: number, skipTail: number, p: number): number {
    if (!past) {
      const sliding = this.#hll[c];
      if (sliding) return sliding.estimateFrom(lo);
      return estimate(1 << p, this.#lifeNonZero[c]!, this.#lifeInverse[c]!);
    }
    const regs = this.#foldRegs[c] ? Uint8Array.from(this.#foldRegs[c]!) : new Uint8Array(1 << p);
    const num = this.#num[c]!;
    for (let i = skipHead; i < this.#size - skipTail; i++) {
      const h = num[(this.#head + i) & this.#mask]!;
      if (h !== h) continue;
      const reg = registerOf(h, p);
      const rank = rankOf(h, p);
      if (rank > regs[reg]!) regs[reg] = rank;
    }
    return estimateRegisters(regs);
  }

  // ---- ring ----------------------------------------------------------------------------

  /** Drop retained events older than `bound`: subtract them, or fold them for lifetime windows. */
  #drop(bound: number): void {
    const cols = this.#plan.columns;
    const lifetime = this.#lifetime;
    while (this.#size > 0 && this.#times[this.#head]! < bound) {
      const at = this.#head;
      for (let c = 0; c < this.#ncol; c++) {
        const col = cols[c]!;
        const num = this.#num[c];
        if (num == null) {
          const any = this.#any[c]!;
          const v = any[at];
          any[at] = undefined;
          if (lifetime && v !== null && v !== undefined) this.#foldLastValue(c, v, col.lastK);
          continue;
        }
        const v = num[at]!;
        if (v !== v) continue;
        if (!lifetime) {
          if (col.moments) momentRemove(this.#moments, c * MOMENT_SIZE, v);
          continue;
        }
        if (col.moments) momentAdd(this.#foldMoments, c * MOMENT_SIZE, v);
        if (col.max && v > this.#foldMax[c]!) this.#foldMax[c] = v;
        if (col.min && v < this.#foldMin[c]!) this.#foldMin[c] = v;
        if (col.lastK > 0) this.#foldLastValue(c, v, col.lastK);
        const folded = this.#foldRegs[c];
        if (folded) {
          const reg = registerOf(v, col.hllPrecision);
          const rank = rankOf(v, col.hllPrecision);
          if (rank > folded[reg]!) folded[reg] = rank;
        }
      }
      if (!lifetime) this.#events--;
      this.#head = (this.#head + 1) & this.#mask;
      this.#size--;
    }
    for (let c = 0; c < this.#ncol; c++) {
      this.#max[c]?.dropBefore(bound);
      this.#min[c]?.dropBefore(bound);
    }
  }

  #foldLastValue(c: number, v: unknown, k: number): void {
    const folded = this.#foldLast[c]!;
    folded.push(v);
    if (folded.length > k) folded.shift();
  }

  /** Make room for a late event at its place in time order (after equal times); returns its slot. */
  #openSlot(t: number): number {
    const mask = this.#mask;
    let pos = this.#size;
    while (pos > 0 && this.#times[(this.#head + pos - 1) & mask]! > t) pos--;
    for (let i = this.#size; i > pos; i--) {
      const to = (this.#head + i) & mask;
      const from = (this.#head + i - 1) & mask;
      this.#times[to] = this.#times[from]!;
      for (let c = 0; c < this.#ncol; c++) {
        const num = this.#num[c];
        if (num != null) num[to] = num[from]!;
        else this.#any[c]![to] = this.#any[c]![from];
      }
    }
    return (this.#head + pos) & mask;
  }

  #resize(capacity: number): void {
    const times = new Float64Array(capacity);
    for (let i = 0; i < this.#size; i++) times[i] = this.#times[(this.#head + i) & this.#mask]!;
    this.#times = times;
    for (let c = 0; c < this.#ncol; c++) {
      const num = this.#num[c];
      if (num !== null && num !== undefined) {
        const next = new Float64Array(capacity);
        for (let i = 0; i < this.#size; i++) next[i] = num[(this.#head + i) & this.#mask]!;
        this.#num[c] = next;
      } else {
        const any = this.#any[c]!;
        const next = new Array<unknown>(capacity).fill(undefined);
        for (let i = 0; i < this.#size; i++) next[i] = any[(this.#head + i) & this.#mask];
        this.#any[c] = next;
      }
    }
    this.#head = 0;
    this.#cap = capacity;
    this.#mask = capacity - 1;
  }
}
