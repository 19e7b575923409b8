import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/online/partition-of.js';

/** The definition, spelled out over TextEncoder's bytes: what partitionOf must agree with. */
function reference(entityName: string, key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${entityName}\u0000${key}`)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % partitions;
}

describe('partitionOf', () => {
  it('gives the pinned partitions, so every process and version agrees', () => {
    // Computed independently (Python, over UTF-8 bytes); changing any would move live state.
    expect(partitionOf('card', '4111-1111', 16)).toBe(14);
    expect(partitionOf('user', '42', 8)).toBe(0);
    expect(partitionOf('user', '', 1024)).toBe(576);
    expect(partitionOf('merchant', 'café ☕ 𝄞', 64)).toBe(22);
    expect(partitionOf('a', 'b:c\u001fd', 7)).toBe(5);
    expect(partitionOf('card', 'AQaq', 2 ** 31)).toBe(938_331_255);
  });

  it('is in range, deterministic and equal to the definition over UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 2 ** 31 }), (entity, key, partitions) => {
        const p = partitionOf(entity, key, partitions);
        expect(Number.isInteger(p) && p >= 0 && p < partitions).toBe(true);
        expect(partitionOf(entity, key, partitions)).toBe(p);
        expect(p).toBe(reference(entity, key, partitions));
      }),
    );
  });

  it('hashes a lone surrogate as U+FFFD, as UTF-8 encoders do', () => {
    expect(partitionOf('user', 'a\ud800b', 1000)).toBe(partitionOf('user', 'a\ufffdb', 1000));
  });

  it('keeps the entity name and the key apart', () => {
    const spread = new Set(['ab', 'a', ''].map((entity, i) => partitionOf(entity, ['', 'b', 'ab'][i]!, 2 ** 31)));
    expect(spread.size).toBe(3);
  });

  it('spreads keys evenly, even keys whose bytes share their low bits', () => {
    const alphabet = 'AQaq'; // 0x41 0x51 0x61 0x71: FNV-1a alone would put all of these in one of 16 partitions
    for (const keyOf of [(i: number) => `user-${i}`, (i: number) => [...Array(8)].map((_, d) => alphabet[(i >> (2 * d)) & 3]).join('')]) {
      const counts = new Array<number>(16).fill(0);
      for (let i = 0; i < 65_536; i++) counts[partitionOf('card', keyOf(i), 16)]!++;
      expect(Math.min(...counts)).toBeGreaterThan(4096 * 0.93);
      expect(Math.max(...counts)).toBeLessThan(4096 * 1.07);
    }
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => partitionOf('user', '1', 0)).toThrow(/positive integer, got 0/);
    expect(() => partitionOf('user', '1', 1.5)).toThrow(/positive integer, got 1.5/);
  });
});
