import { offsetOf, RingArena, type PageSizes } from './ring-arena.js';

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
  readonly store: RingArena;
  #stride = 0;
  #count = 0;
  /** Per chunk of CHUNK records: its page, where it starts in the page, and its address. */
  readonly #chunkPages: Float64Array[] = [];
  readonly #chunkAt: number[] = [];
  readonly #chunkAddress: number[] = [];

  /** `pages`: the store's page sizes (small ones let tests cross pages). */
  constructor(pages?: PageSizes) {
    this.store = new RingArena(pages);
  }

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
    if ((e & (CHUNK - 1)) === 0) {
      const address = this.store.allocZeroed(CHUNK * this.#stride);
      this.#chunkPages.push(this.store.page(address));
      this.#chunkAt.push(offsetOf(address));
      this.#chunkAddress.push(address);
    }
    return e;
  }

  /** The page holding entity e's record. */
  page(e: number): Float64Array {
    return this.#chunkPages[e >>> CHUNK_BITS]!;
  }

  /** Where entity e's record starts in its page. */
  at(e: number): number {
    return this.#chunkAt[e >>> CHUNK_BITS]! + (e & (CHUNK - 1)) * this.#stride;
  }

  /** The store address of entity e's record (`at(e)` within `page(e)`). */
  address(e: number): number {
    return this.#chunkAddress[e >>> CHUNK_BITS]! + (e & (CHUNK - 1)) * this.#stride;
  }

  /**
   * Load every cache line of entity e's record and return a number made from them, so the
   * loads are not optimised away. Called for each of an event's entities before any is
   * applied, the cache misses overlap instead of coming one after another.
   */
  touch(e: number): number {
    const m = this.page(e);
    const r = this.at(e);
    const end = r + this.#stride;
    let sum = 0;
    for (let at = r; at < end; at += 8) sum += m[at]!;
    return sum + m[end - 1]!;
  }
}
