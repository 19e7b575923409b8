/**
 * MurmurHash3 x86 32-bit (Appleby, public domain) over a string's UTF-16 code units, two units
 * per 32-bit block. Deterministic across processes and machines, which distinct counts and
 * (later) partitioning rely on.
 */
export function murmur3(text: string, seed = 0): number {
  let h = seed >>> 0;
  const len = text.length;
  const blocks = len >>> 1;
  for (let i = 0; i < blocks; i++) {
    let k = (text.charCodeAt(2 * i) | (text.charCodeAt(2 * i + 1) << 16)) >>> 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if ((len & 1) === 1) {
    let k = text.charCodeAt(len - 1);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  return fmix32(h ^ (len * 2));
}

/** MurmurHash3's finalizer (fmix32): every output bit depends on every input bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a value for distinct counting; the type is part of the identity (1 ≠ '1'). */
export function hashValue(value: number | string | boolean): number {
  switch (typeof value) {
    case 'string':
      return murmur3(value, 0x5f3759df);
    case 'number':
      return murmur3(Object.is(value, -0) ? '0' : String(value), 0x2545f491);
    default:
      return value ? 0x9e3779b9 : 0x7f4a7c15;
  }
}
