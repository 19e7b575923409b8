import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

  it('lets shared memory go that only the workers still had handles on, once they collect', async () => {
    setFlagsFromString('--expose-gc');
    const collectHere = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const pool = sweepPool(2);
    await pool.collect();
    collectHere();
    const before = process.memoryUsage().arrayBuffers;
    // 256 MB the workers get handles on, which this thread lets go as the function returns.
    const share = async (): Promise<void> => {
      const arrays = [1, 2, 3, 4].map(() => new Float64Array(new SharedArrayBuffer(8 * 8_000_000)));
      await Promise.all([pool.touch(arrays, 0), pool.touch(arrays, 1)]);
    };
    await share();
    await pool.collect();
    // Backing stores are freed by a sweeper task after the collection: wait for it.
    let held = Infinity;
    for (let tries = 0; tries < 40 && held >= 20_000_000; tries++) {
      collectHere();
      await new Promise((resolve) => setTimeout(resolve, 50));
      held = process.memoryUsage().arrayBuffers - before;
    }
    expect(held).toBeLessThan(20_000_000);
  });
});

