import { TandemError, quote } from '../../errors.js';
import { parseDuration, type Duration } from '../../features/duration.js';
import type { ReferenceProfile } from '../types.js';

export interface WindowColumn {
  readonly name: string;
  readonly kind: 'number' | 'category';
}

export type DriftWindowOptions = {
  readonly columns: readonly WindowColumn[];
  /** Clock for time windows, epoch ms. @default Date.now */
  readonly now?: () => number;
} & (
  | { /** Keep the last `rows` rows. */ readonly rows: number; readonly duration?: undefined }
  | { /** Keep rows newer than now − duration ('1h', '15m' or ms). */ readonly duration: Duration; readonly rows?: undefined }
);

/** A row as served: a value per column, numbers for numeric columns, strings for categories; absent or null is missing. */
export type WindowRow = Readonly<Record<string, number | string | null | undefined>>;

/**
 * The live values drift is measured on: a ring of the last N rows, or of the rows newer than
 * now − duration (it grows by doubling as needed). One typed array per numeric column and one
 * plain array per categorical column, so adding a row writes one slot per column and allocates
 * nothing (except when a time window grows).
 */
export class DriftWindow {
  readonly #columns: readonly WindowColumn[];
  readonly #position = new Map<string, number>();
  readonly #limit: number;
  readonly #duration: number;
  readonly #now: () => number;
  #capacity: number;
  #numbers: (Float64Array | null)[];
  #categories: ((string | null)[] | null)[];
  #times: Float64Array;
  #start = 0;
  #count = 0;

  constructor(options: DriftWindowOptions) {
    this.#columns = options.columns.map(({ name, kind }) => ({ name, kind }));
    this.#columns.forEach((column, i) => {
      if (this.#position.has(column.name)) throw new TandemError('TANDEM_INVALID_PARAMETER', `DriftWindow: column '${column.name}' appears twice`);
      this.#position.set(column.name, i);
    });
    this.#now = options.now ?? Date.now;
    if (options.rows !== undefined) {
      if (!Number.isInteger(options.rows) || options.rows < 1) {
        throw new TandemError('TANDEM_INVALID_PARAMETER', `DriftWindow: rows ${quote(options.rows)} must be a positive integer`);
      }
      this.#limit = options.rows;
      this.#duration = Infinity;
      this.#capacity = options.rows;
    } else {
      this.#limit = Infinity;
      this.#duration = parseDuration(options.duration, 'DriftWindow duration');
      this.#capacity = 1024;
    }
    this.#numbers = this.#columns.map((c) => (c.kind === 'number' ? new Float64Array(this.#capacity) : null));
    this.#categories = this.#columns.map((c) => (c.kind === 'category' ? new Array<string | null>(this.#capacity).fill(null) : null));
    this.#times = new Float64Array(this.#capacity);
  }

  /** A window over a reference profile's features and its prediction column (named as profiled). */
  static forProfile(profile: ReferenceProfile, options: Omit<DriftWindowOptions, 'columns'>): DriftWindow {
    const columns = [...profile.features, ...(profile.prediction ? [profile.prediction] : [])].map(({ name, kind }) => ({ name, kind }));
    return new DriftWindow({ ...options, columns } as DriftWindowOptions);
  }

  /** Rows in the window now. */
  get size(): number {
    this.#expire();
    return this.#count;
  }

  get columns(): readonly WindowColumn[] {
    return this.#columns;
  }

  /** Add one row, observed at `at` (epoch ms, default now). Values of the wrong type are missing. */
  add(row: WindowRow, at: number = this.#now()): void {
    this.#expire();
    if (this.#count === this.#limit) {
      this.#start = this.#start + 1 === this.#capacity ? 0 : this.#start + 1;
      this.#count--;
    } else if (this.#count === this.#capacity) {
      this.#grow();
    }
    let slot = this.#start + this.#count;
    if (slot >= this.#capacity) slot -= this.#capacity;
    this.#times[slot] = at;
    for (let c = 0; c < this.#columns.length; c++) {
      const value = row[(this.#columns[c] as WindowColumn).name];
      const numbers = this.#numbers[c];
      if (numbers) numbers[slot] = typeof value === 'number' ? value : Number.NaN;
      else (this.#categories[c] as (string | null)[])[slot] = typeof value === 'string' ? value : null;
    }
    this.#count++;
    this.#expire();
  }

  /** The column's values, oldest first: a Float64Array (NaN missing) or strings (null missing), as columnDrift takes them. */
  values(column: string): Float64Array | (string | null)[] {
    const c = this.#position.get(column);
    if (c === undefined) throw new TandemError('TANDEM_UNKNOWN_FEATURE', `DriftWindow: no column ${quote(column)}; it holds ${this.#columns.map((x) => `'${x.name}'`).join(', ')}`);
    this.#expire();
    const numbers = this.#numbers[c];
    const out = numbers ? new Float64Array(this.#count) : new Array<string | null>(this.#count);
    const source = numbers ?? (this.#categories[c] as (string | null)[]);
    for (let i = 0, slot = this.#start; i < this.#count; i++) {
      out[i] = source[slot] as never;
      slot = slot + 1 === this.#capacity ? 0 : slot + 1;
    }
    return out;
  }

  clear(): void {
    this.#start = 0;
    this.#count = 0;
  }

  /** Drop rows at or before now − duration (time windows only); rows arrive in time order. */
  #expire(): void {
    if (this.#duration === Infinity) return;
    const cutoff = this.#now() - this.#duration;
    while (this.#count > 0 && (this.#times[this.#start] as number) <= cutoff) {
      this.#start = this.#start + 1 === this.#capacity ? 0 : this.#start + 1;
      this.#count--;
    }
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const reorder = <T extends Float64Array | (string | null)[]>(source: T, target: T): T => {
      for (let i = 0, slot = this.#start; i < this.#count; i++) {
        target[i] = source[slot] as never;
        slot = slot + 1 === this.#capacity ? 0 : slot + 1;
      }
      return target;
    };
    this.#numbers = this.#numbers.map((a) => (a ? reorder(a, new Float64Array(capacity)) : null));
    this.#categories = this.#categories.map((a) => (a ? reorder(a, new Array<string | null>(capacity).fill(null)) : null));
    this.#times = reorder(this.#times, new Float64Array(capacity));
    this.#start = 0;
    this.#capacity = capacity;
  }
}
