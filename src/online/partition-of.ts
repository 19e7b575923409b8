import { fmix32 } from '../engine/hash.js';
import { TandemError } from '../errors.js';

const FNV_PRIME = 0x01000193;

/**
 * The partition (0 … partitions − 1) that owns `key` of entity `entityName`: FNV-1a (32-bit)
 * over the UTF-8 bytes of `entityName + '\u0000' + key`, then MurmurHash3's 32-bit finalizer,
 * then modulo. Stable across processes, versions and platforms: every worker and serving
 * replica must agree on it, so the values are pinned by a test.
 *
 * The finalizer is there because FNV-1a's low k bits depend only on the low k bits of the
 * input bytes: modulo a power of two, keys over an alphabet such as 'AQaq' (all 0x1 in their
 * low four bits) would all land in one partition. Lone surrogates hash as U+FFFD, as
 * TextEncoder encodes them. Allocation-free: it runs once per event.
 */
export function partitionOf(entityName: string, key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new TandemError('TANDEM_USAGE', `the partition count must be a positive integer, got ${String(partitions)}`);
  }
  let hash = fnv1a(0x811c9dc5, entityName);
  hash = Math.imul(hash, FNV_PRIME) >>> 0; // FNV-1a over the '\u0000' separator byte
  hash = fnv1a(hash, key);
  return fmix32(hash) % partitions;
}

/** Continue an FNV-1a hash over the UTF-8 encoding of `text`. */
function fnv1a(seed: number, text: string): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
  }
  return h >>> 0;
}
