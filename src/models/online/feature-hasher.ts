import { murmur3 } from '../../engine/hash.js';
import type { Row } from '../model.js';

/** Seed of every hashed coordinate; changing it changes every saved weight's position. */
const SEED = 0x2f6b_1d35;
/** The bias is a coordinate like any other, hashed from a name no row can use (as Vowpal Wabbit's `Constant`). */
const BIAS = '\u0000bias';
/** Past this many distinct name=value pairs the cache is emptied: high-cardinality strings must not grow memory without end. */
const MAX_CACHED_VALUES = 1 << 16;

/** Coordinate of a numeric feature: its value multiplies the weight at murmur3(name). */
export function numericIndex(name: string, mask: number): number {
  return murmur3(name, SEED) & mask;
}

/** Coordinate of a categorical (string or boolean) value: a one-hot weight at murmur3('name=value'). */
export function categoricalIndex(name: string, value: string | boolean, mask: number): number {
  return murmur3(`${name}=${String(value)}`, SEED) & mask;
}

export function biasIndex(mask: number): number {
  return murmur3(BIAS, SEED) & mask;
}

/**
 * The hashing trick (Weinberger et al. 2009, "Feature Hashing for Large Scale Multitask
 * Learning"): a Row becomes sparse (index, value) pairs in 2^bits buckets, bias first. Numbers
 * use their name's bucket with their value; strings and booleans one-hot `name=value` with 1;
 * missing values (null, undefined, NaN, ±Infinity) and zeros are left out.
 *
 * Hashing is memoised: each position of the previous row remembers its key and bucket, so a
 * stream of rows with the same keys in the same order costs one pointer comparison per feature
 * (property keys are interned strings); other names go through a Map.
 */
export class FeatureHasher {
  readonly mask: number;
  readonly bias: number;
  /** Active coordinates of the last `encode`: `indices[0..count)` with `values[0..count)`. */
  indices = new Int32Array(32);
  values = new Float64Array(32);
  #numeric = new Map<string, number>();
  #categorical = new Map<string, Map<string, number>>();
  #cachedValues = 0;
  #memoKeys: (string | undefined)[] = [];
  #memoIndex = new Int32Array(32);

  constructor(bits: number) {
    this.mask = 2 ** bits - 1;
    this.bias = biasIndex(this.mask);
  }

  /** Encodes `x` into `indices` / `values` and returns the number of active coordinates. */
  encode(x: Row): number {
    this.indices[0] = this.bias;
    this.values[0] = 1;
    let count = 1;
    let position = 0;
    for (const name in x) {
      const v = x[name];
      let index: number;
      let value = 1;
      if (typeof v === 'number') {
        // NaN and ±Infinity are missing; a zero contributes nothing to a linear model.
        if (v - v !== 0 || v === 0) {
          position++;
          continue;
        }
        value = v;
        if (this.#memoKeys[position] === name) {
          index = this.#memoIndex[position] as number;
        } else {
          index = this.#numericIndexOf(name);
          this.#remember(position, name, index);
        }
      } else if (typeof v === 'string') {
        index = this.#categoricalIndexOf(name, v);
      } else if (typeof v === 'boolean') {
        index = this.#categoricalIndexOf(name, v ? 'true' : 'false');
      } else {
        position++;
        continue;
      }
      if (count === this.indices.length) this.#grow();
      this.indices[count] = index;
      this.values[count] = value;
      count++;
      position++;
    }
    return count;
  }

  #numericIndexOf(name: string): number {
    let index = this.#numeric.get(name);
    if (index === undefined) {
      index = numericIndex(name, this.mask);
      this.#numeric.set(name, index);
    }
    return index;
  }

  #categoricalIndexOf(name: string, value: string): number {
    let byValue = this.#categorical.get(name);
    if (byValue === undefined) {
      byValue = new Map();
      this.#categorical.set(name, byValue);
    }
    let index = byValue.get(value);
    if (index === undefined) {
      index = categoricalIndex(name, value, this.mask);
      if (this.#cachedValues >= MAX_CACHED_VALUES) {
        this.#categorical.clear();
        this.#cachedValues = 0;
        this.#categorical.set(name, byValue);
        byValue.clear();
      }
      byValue.set(value, index);
      this.#cachedValues++;
    }
    return index;
  }

  #remember(position: number, name: string, index: number): void {
    if (position >= this.#memoIndex.length) {
      const grown = new Int32Array(this.#memoIndex.length * 2);
      grown.set(this.#memoIndex);
      this.#memoIndex = grown;
    }
    this.#memoKeys[position] = name;
    this.#memoIndex[position] = index;
  }

  #grow(): void {
    const indices = new Int32Array(this.indices.length * 2);
    indices.set(this.indices);
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    this.indices = indices;
    this.values = values;
  }
}
