import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { offsetOf, RingArena } from '../../src/engine/ring-arena.js';

/** The doubles of the block at `address`. */
const block = (arena: RingArena, address: number, size: number): Float64Array => arena.page(address).subarray(offsetOf(address), offsetOf(address) + size);

describe('RingArena', () => {
  it('hands out blocks that do not overlap, across pages that never move', () => {
    const arena = new RingArena({ first: 16, largest: 64 });
    const blocks = Array.from({ length: 200 }, (_, i) => ({ at: arena.alloc(8 + (i % 3) * 8), size: 8 + (i % 3) * 8, i }));
    const firstPage = arena.page(blocks[0]!.at);
    for (const { at, size, i } of blocks) block(arena, at, size).fill(i);
    for (const { at, size, i } of blocks) expect([...block(arena, at, size)].every((v) => v === i)).toBe(true);
    expect(arena.pageCount).toBeGreaterThan(20);
    // Pages are added, not replaced: a page handed out earlier is still the one in use.
    expect(arena.page(blocks[0]!.at)).toBe(firstPage);
    // Each block lies within its page.
    for (const { at, size } of blocks) expect(offsetOf(at) + size).toBeLessThanOrEqual(arena.page(at).length);
  });

  it('doubles its pages up to the largest, and gives a larger block a page of its own', () => {
    const arena = new RingArena({ first: 16, largest: 64 });
    const sizes = Array.from({ length: 5 }, () => arena.page(arena.alloc(16)).length);
    expect(sizes).toEqual([16, 32, 32, 64, 64]);
    const big = arena.alloc(100);
    expect(arena.page(big).length).toBe(100);
    expect(offsetOf(big)).toBe(0);
    // Smaller blocks still come from the page being filled.
    const small = arena.alloc(16);
    expect(arena.page(small).length).toBe(64);
    expect(arena.used).toBe(5 * 16 + 100 + 16);
  });

  it('reuses a freed block for the next request of its size', () => {
    const arena = new RingArena();
    const a = arena.alloc(32);
    arena.alloc(32);
    arena.free(a, 32);
    expect(arena.alloc(16)).not.toBe(a);
    expect(arena.alloc(32)).toBe(a);
  });

  it('zeroes a reused block when asked for zeros', () => {
    const arena = new RingArena({ first: 64, largest: 64 });
    arena.alloc(60);
    const a = arena.alloc(8);
    expect(a / 2 ** 32).toBe(1);
    block(arena, a, 8).fill(7);
    arena.free(a, 8);
    const b = arena.allocZeroed(8);
    expect(b).toBe(a);
    expect([...block(arena, b, 8)]).toEqual(new Array(8).fill(0));
    const fresh = arena.allocZeroed(1000);
    expect([...block(arena, fresh, 1000)].every((v) => v === 0)).toBe(true);
  });

  it('keeps its pages out of the external memory that sets off full collections', () => {
    // 32 MB of pages: as ArrayBuffers, V8 would count all of it (half its 64 MB step).
    const before = getHeapStatistics().external_memory;
    const arena = new RingArena({ first: 1 << 20, largest: 1 << 20 });
    for (let i = 0; i < 4; i++) arena.alloc(1 << 20);
    expect(arena.pageCount).toBe(4);
    expect(getHeapStatistics().external_memory - before).toBeLessThan(1 << 20);
    // And the pages are still memory the process accounts for.
    expect(arena.page(0).buffer.byteLength).toBe(8 << 20);
  });
});
