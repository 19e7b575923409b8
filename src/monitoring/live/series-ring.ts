import type { TimeSeries } from '../types.js';

/**
 * Aligned time series of fixed capacity: one sample of every named value per tick, the oldest
 * dropped first. What the dashboard charts; memory is capacity × (names + 1) doubles.
 */
export class SeriesRing {
  readonly #names: readonly string[];
  readonly #time: Float64Array;
  readonly #values: Float64Array[];
  readonly #capacity: number;
  #next = 0;
  #count = 0;

  constructor(names: readonly string[], capacity: number) {
    this.#names = names;
    this.#capacity = capacity;
    this.#time = new Float64Array(capacity);
    this.#values = names.map(() => new Float64Array(capacity));
  }

  get size(): number {
    return this.#count;
  }

  /** One tick: `time` in epoch seconds; a missing or non-finite value is recorded as null. */
  push(time: number, sample: Readonly<Record<string, number | null | undefined>>): void {
    const at = this.#next;
    this.#time[at] = time;
    this.#names.forEach((name, j) => {
      const value = sample[name];
      (this.#values[j] as Float64Array)[at] = typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
    });
    this.#next = (at + 1) % this.#capacity;
    this.#count = Math.min(this.#count + 1, this.#capacity);
  }

  /** The latest sample of `name`, null when none or not measured. */
  latest(name: string): number | null {
    const j = this.#names.indexOf(name);
    if (j < 0 || this.#count === 0) return null;
    const value = (this.#values[j] as Float64Array)[(this.#next - 1 + this.#capacity) % this.#capacity] as number;
    return Number.isNaN(value) ? null : value;
  }

  toJSON(): TimeSeries {
    const start = (this.#next - this.#count + this.#capacity) % this.#capacity;
    const at = (i: number): number => (start + i) % this.#capacity;
    const series: Record<string, (number | null)[]> = {};
    this.#names.forEach((name, j) => {
      const values = this.#values[j] as Float64Array;
      series[name] = Array.from({ length: this.#count }, (_, i) => {
        const value = values[at(i)] as number;
        return Number.isNaN(value) ? null : value;
      });
    });
    return { time: Array.from({ length: this.#count }, (_, i) => this.#time[at(i)] as number), ...series };
  }
}
