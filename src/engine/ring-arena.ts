/**
 * Blocks of Float64 storage in one growable typed array, for the stream's per-entity rings.
 * An online store holds hundreds of thousands of small rings; as separate typed arrays each
 * would be a heap object with its own backing store for the GC to trace and the cache to
 * miss. Here a ring is an offset. Freed blocks are kept per size and reused, so an entity
 * whose ring doubles leaves its old block to the next entity that needs one of that size.
 */
export class RingArena {
  #data: Float64Array;
  #top = 0;
  readonly #free = new Map<number, number[]>();

  constructor(initialLength = 1 << 16) {
    this.#data = new Float64Array(initialLength);
  }

  /** The storage; replaced when the arena grows, so read it again after `alloc`. */
  get data(): Float64Array {
    return this.#data;
  }

  /** Doubles in use or waiting for reuse. */
  get used(): number {
    return this.#top;
  }

  /** The offset of a block of `size` doubles (its contents are whatever was there before). */
  alloc(size: number): number {
    const free = this.#free.get(size);
    if (free !== undefined && free.length > 0) return free.pop()!;
    return this.#fresh(size);
  }

  /** The offset of a block of `size` zeros. */
  allocZeroed(size: number): number {
    const free = this.#free.get(size);
    if (free === undefined || free.length === 0) return this.#fresh(size);
    const offset = free.pop()!;
    this.#data.fill(0, offset, offset + size);
    return offset;
  }

  /** A block never used before: zeros, and no write to pages the OS has not handed out yet. */
  #fresh(size: number): number {
    if (this.#top + size > this.#data.length) this.#grow(this.#top + size);
    const offset = this.#top;
    this.#top += size;
    return offset;
  }

  free(offset: number, size: number): void {
    let free = this.#free.get(size);
    if (free === undefined) this.#free.set(size, (free = []));
    free.push(offset);
  }

  #grow(needed: number): void {
    let length = this.#data.length * 2;
    while (length < needed) length *= 2;
    const next = new Float64Array(length);
    next.set(this.#data.subarray(0, this.#top));
    this.#data = next;
  }
}
