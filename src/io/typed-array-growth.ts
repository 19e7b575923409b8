/** Column storage grows by doubling while a file streams in, then is trimmed to the row count. */

export function withCapacityFloat64(array: Float64Array, needed: number): Float64Array {
  if (needed <= array.length) return array;
  const grown = new Float64Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

export function withCapacityInt32(array: Int32Array, needed: number): Int32Array {
  if (needed <= array.length) return array;
  const grown = new Int32Array(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

export function trimmedFloat64(array: Float64Array, length: number): Float64Array {
  return array.length === length ? array : array.slice(0, length);
}

export function trimmedInt32(array: Int32Array, length: number): Int32Array {
  return array.length === length ? array : array.slice(0, length);
}
