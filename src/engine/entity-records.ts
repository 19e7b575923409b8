import { RingArena } from './ring-arena.js';

/** Records are allocated in chunks of this many entities. */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS;

/**
 * One fixed-size record of doubles per entity of a view, for all of the view's windows
 * together (each window reserves its part), in the same store as their rings. An event
 * touches each of its entities' records: kept contiguous, they are a few neighbouring cache
 * lines on one page rather than one scattered record per window.
 */
export class EntityRecords {
  readonly store = new RingArena();
  #stride = 0;
  #count = 0;
  /** Offsets of the chunks of CHUNK records. */
  readonly #chunks: number[] = [];

  /** Reserve `doubles` in every record; returns their offset in it. Only before the first `add`. */
  reserve(doubles: number): number {
    if (this.#count > 0) throw new Error('EntityRecords.reserve after entities were added');
    const at = this.#stride;
    this.#stride += doubles;
    return at;
  }

  get count(): number {
    return this.#count;
  }

  /** Add the next entity, its record all zeros; returns its id. */
  add(): number {
    const e = this.#count++;
    if ((e & (CHUNK - 1)) === 0) this.#chunks.push(this.store.allocZeroed(CHUNK * this.#stride));
    return e;
  }

  /** Where entity e's record starts in `store.data`. */
  at(e: number): number {
    return this.#chunks[e >>> CHUNK_BITS]! + (e & (CHUNK - 1)) * this.#stride;
  }

  /**
   * Load every cache line of entity e's record and return a number made from them, so the
   * loads are not optimised away. Called for each of an event's entities before any is
   * applied, the cache misses overlap instead of coming one after another.
   */
  touch(e: number): number {
    const m = this.store.data;
    const r = this.at(e);
    const end = r + this.#stride;
    let sum = 0;
    for (let at = r; at < end; at += 8) sum += m[at]!;
    return sum + m[end - 1]!;
  }
}
