import { describe, expect, it } from 'vitest';
import { RingArena } from '../../src/engine/ring-arena.js';

describe('RingArena', () => {
  it('hands out blocks that do not overlap, and keeps their contents as it grows', () => {
    const arena = new RingArena(16);
    const blocks = Array.from({ length: 200 }, (_, i) => ({ at: arena.alloc(8 + (i % 3) * 8), size: 8 + (i % 3) * 8, i }));
    for (const { at, size, i } of blocks) arena.data.fill(i, at, at + size);
    for (const { at, size, i } of blocks) expect([...arena.data.subarray(at, at + size)].every((v) => v === i)).toBe(true);
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
    const arena = new RingArena();
    const a = arena.alloc(8);
    arena.data.fill(7, a, a + 8);
    arena.free(a, 8);
    const b = arena.allocZeroed(8);
    expect(b).toBe(a);
    expect([...arena.data.subarray(b, b + 8)]).toEqual(new Array(8).fill(0));
    const fresh = arena.allocZeroed(1000);
    expect([...arena.data.subarray(fresh, fresh + 1000)].every((v) => v === 0)).toBe(true);
  });
});
