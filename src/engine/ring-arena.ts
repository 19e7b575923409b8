import { sharedFloat64Array } from './shared-arrays.js';

/** Addresses: page index × PAGE_SPAN + offset within the page, exact as doubles. */
export const PAGE_SPAN = 2 ** 32;

/** Sizes of the pages, in doubles: the first, and the largest the doubling stops at. */
export interface PageSizes {
  /** @default 65,536 (512 KB) */
  readonly first?: number;
  /** @default 1,048,576 (8 MB) */
  readonly largest?: number;
}

/**
 * Blocks of Float64 storage in pages, for the stream's per-entity records and rings. An online
 * store holds hundreds of thousands of small rings; as separate typed arrays each would be a
 * heap object with its own backing store for the GC to trace and the cache to miss. Here a
 * block is an address. Freed blocks are kept per size and reused, so an entity whose ring
 * doubles leaves its old block to the next entity that needs one of that size.
 *
 * The arena grows by adding pages, each twice the last up to `largest`, and never moves a
 * block: growing one typed array by copying stopped every apply for the copy and allocated
 * twice the state, and each new buffer of tens of megabytes counts towards V8's next full
 * collection (bench/README.md, "The stream driver"). A block larger than `largest` gets a
 * page of its own. A block never spans two pages, so `page(address)` and `offsetOf(address)`
 * give the typed array and the index for all of it.
 *
 * Pages are views of `SharedArrayBuffer`s (shared-arrays.ts), outside V8's external-memory
 * accounting: in the bench, the state's growth as ordinary buffers had set off two or three
 * full collections per million events, a sixth of the stream's time (bench/README.md, "The
 * stream driver").
 */
export class RingArena {
  readonly #pages: Float64Array[] = [];
  readonly #largest: number;
  #nextSize: number;
  /** The page blocks are cut from, and where its unused part starts. */
  #current = -1;
  #top = 0;
  #used = 0;
  readonly #free = new Map<number, number[]>();

  constructor(sizes: PageSizes = {}) {
    this.#nextSize = sizes.first ?? 1 << 16;
    this.#largest = Math.max(this.#nextSize, sizes.largest ?? 1 << 20);
  }

  /** The page holding the block at `address`. */
  page(address: number): Float64Array {
    return this.#pages[(address / PAGE_SPAN) | 0]!;
  }

  /** Doubles handed out, in use or waiting for reuse. */
  get used(): number {
    return this.#used;
  }

  /** Pages allocated so far. */
  get pageCount(): number {
    return this.#pages.length;
  }

  /** The address of a block of `size` doubles (its contents are whatever was there before). */
  alloc(size: number): number {
    const free = this.#free.get(size);
    if (free !== undefined && free.length > 0) return free.pop()!;
    return this.#fresh(size);
  }

  /** The address of a block of `size` zeros. */
  allocZeroed(size: number): number {
    const free = this.#free.get(size);
    if (free === undefined || free.length === 0) return this.#fresh(size);
    const address = free.pop()!;
    const at = offsetOf(address);
    this.page(address).fill(0, at, at + size);
    return address;
  }

  free(address: number, size: number): void {
    let free = this.#free.get(size);
    if (free === undefined) this.#free.set(size, (free = []));
    free.push(address);
  }

  /** A block never used before: zeros, and no write to pages the OS has not handed out yet. */
  #fresh(size: number): number {
    this.#used += size;
    if (size > this.#largest) {
      // A page of its own; the current page goes on serving smaller blocks.
      this.#pages.push(sharedFloat64Array(size));
      return (this.#pages.length - 1) * PAGE_SPAN;
    }
    if (this.#current < 0 || this.#top + size > this.#pages[this.#current]!.length) {
      // What is left of the current page stays unused: less than this one block.
      const length = this.#nextSize;
      this.#nextSize = Math.min(this.#largest, length * 2);
      this.#pages.push(sharedFloat64Array(Math.max(length, size)));
      this.#current = this.#pages.length - 1;
      this.#top = 0;
    }
    const address = this.#current * PAGE_SPAN + this.#top;
    this.#top += size;
    return address;
  }
}

/** Where the block at `address` starts in its page (see RingArena.page). */
export function offsetOf(address: number): number {
  return address - ((address / PAGE_SPAN) | 0) * PAGE_SPAN;
}
