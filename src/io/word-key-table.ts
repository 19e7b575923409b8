const EMPTY = -1;

/**
 * An open-addressing hash table from fixed-width keys of 32-bit words to codes, for looking up
 * string bytes without decoding them into JS strings. Keys and their hashes are stored once per
 * entry and slots hold entry numbers, so a column of millions of distinct values costs its keys
 * plus a few bytes a slot, and V8's Map, slow at millions of string keys, is not needed.
 */
export class WordKeyTable {
  readonly #keyWords: number;
  #slots = new Int32Array(1024).fill(EMPTY);
  /** The hash of each slot's key, compared before the key itself. */
  #slotHashes = new Int32Array(1024);
  #keys: Uint32Array;
  #hashes = new Int32Array(512);
  #codes = new Int32Array(512);
  #entries = 0;

  constructor(keyWords: number) {
    this.#keyWords = keyWords;
    this.#keys = new Uint32Array(512 * keyWords);
  }

  /** The code stored for the key in `words` from `start`, or -1. */
  get(words: Uint32Array, start: number): number {
    return this.#find(words, start, hashWords(words, start, this.#keyWords));
  }

  /** Stores a code (≥ 0) for a key not yet in the table. */
  set(words: Uint32Array, start: number, code: number): void {
    const keyWords = this.#keyWords;
    const entry = this.#entries++;
    if (entry === this.#codes.length) {
      this.#codes = grown(this.#codes, entry * 2);
      this.#hashes = grown(this.#hashes, entry * 2);
      this.#keys = grown(this.#keys, entry * 2 * keyWords);
    }
    this.#codes[entry] = code;
    this.#hashes[entry] = hashWords(words, start, keyWords);
    this.#keys.set(words.subarray(start, start + keyWords), entry * keyWords);
    if (this.#entries * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
    else this.#place(entry);
  }

  #find(words: Uint32Array, start: number, hash: number): number {
    const keyWords = this.#keyWords;
    const keys = this.#keys;
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === EMPTY) return EMPTY;
      if (this.#slotHashes[slot] !== hash) continue;
      const at = entry * keyWords;
      let k = 0;
      while (k < keyWords && keys[at + k] === words[start + k]) k++;
      if (k === keyWords) return this.#codes[entry]!;
    }
  }

  #place(entry: number): void {
    const hash = this.#hashes[entry]!;
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    while (this.#slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#slots[slot] = entry;
    this.#slotHashes[slot] = hash;
  }

  #rehash(slots: number): void {
    this.#slots = new Int32Array(slots).fill(EMPTY);
    this.#slotHashes = new Int32Array(slots);
    for (let entry = 0; entry < this.#entries; entry++) this.#place(entry);
  }
}

function grown<T extends Int32Array | Uint32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}

/** murmur3's 32-bit mixing, so keys differing in any word spread over the table. */
function hashWords(words: Uint32Array, start: number, count: number): number {
  let h = 0x9e3779b9;
  for (let k = 0; k < count; k++) {
    h = Math.imul(h ^ words[start + k]!, 0xcc9e2d51);
    h = Math.imul((h << 15) | (h >>> 17), 0x1b873593);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
