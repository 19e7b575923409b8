import { describe, expect, it } from 'vitest';
import { BufferArena } from '../../src/engine/buffer-arena.js';
import { sweepPool } from '../../src/engine/sweep-pool.js';
import { WorkingMemory } from '../../src/engine/working-memory.js';

describe('WorkingMemory', () => {
  it('keeps arrays taken for the whole run until the backfill finishes, then hands them back', () => {
    const arena = new BufferArena((bytes) => new ArrayBuffer(bytes));
    const working = new WorkingMemory(arena, (n) => new Float64Array(n));
    const order = working.memory.forRun(1_000);
    const column = working.memory.float64(500);
    // A view's arrays: only those it took, not the run's.
    expect(working.taken()).toEqual([column]);
    expect(arena.idleBytes).toBe(0);
    working.finish();
    expect(arena.idleBytes).toBe(4_000);
    expect(arena.uint32(1_000).buffer).toBe(order.buffer);
    working.finish(); // nothing twice
    expect(arena.idleBytes).toBe(0);
    arena.clear();
  });
});

describe('sweep pool: touching fresh memory', () => {
  it('leaves every value as it was, the last partial page included', async () => {
    const arrays = [1, 513, 70_000].map((n) => {
      const a = new Float64Array(new SharedArrayBuffer(8 * n));
      for (let i = 0; i < n; i++) a[i] = i % 7 === 0 ? NaN : i * 1.5 - 3;
      return a;
    });
    const copies = arrays.map((a) => a.slice());
    await sweepPool(2).touch(arrays, 0);
    arrays.forEach((a, k) => expect(a).toEqual(copies[k]));
  });
});
