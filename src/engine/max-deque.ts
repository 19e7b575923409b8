/**
 * Monotonic deque for sliding-window maxima (the "ascending minima" algorithm): entries are
 * kept in time order with strictly decreasing values, so the maximum of every suffix of the
 * window is at hand. Minima use the same deque on negated values. Amortised O(1) per event.
 */
const EMPTY = new Float64Array(0);

export class MaxDeque {
  // Allocated on the first push: many entities of an online store never need one.
  #times = EMPTY;
  #values = EMPTY;
  #head = 0;
  #size = 0;
  #mask = 0;

  get size(): number {
    return this.#size;
  }

  push(t: number, v: number): void {
    const times = this.#times;
    const values = this.#values;
    // A later value at least as large dominates: the earlier one can never be a maximum again.
    while (this.#size > 0 && values[(this.#head + this.#size - 1) & this.#mask]! <= v) this.#size--;
    if (this.#size === times.length) this.#grow();
    const at = (this.#head + this.#size) & this.#mask;
    this.#times[at] = t;
    this.#values[at] = v;
    this.#size++;
  }

  dropBefore(bound: number): void {
    const times = this.#times;
    while (this.#size > 0 && times[this.#head]! < bound) {
      this.#head = (this.#head + 1) & this.#mask;
      this.#size--;
    }
  }

  /** The maximum over entries at or after `lo` (every entry being before the read time); NaN if none. */
  maxFrom(lo: number): number {
    const times = this.#times;
    for (let i = 0; i < this.#size; i++) {
      const at = (this.#head + i) & this.#mask;
      if (times[at]! >= lo) return this.#values[at]!;
    }
    return NaN;
  }

  clear(): void {
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const capacity = Math.max(4, this.#times.length * 2);
    const times = new Float64Array(capacity);
    const values = new Float64Array(capacity);
    for (let i = 0; i < this.#size; i++) {
      const at = (this.#head + i) & this.#mask;
      times[i] = this.#times[at]!;
      values[i] = this.#values[at]!;
    }
    this.#times = times;
    this.#values = values;
    this.#head = 0;
    this.#mask = capacity - 1;
  }
}
