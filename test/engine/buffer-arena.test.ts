import { describe, expect, it } from 'vitest';
import { BufferArena, plainArena, releaseBackfillMemory, sharedArena } from '../../src/engine/buffer-arena.js';

const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes);

describe('BufferArena', () => {
  it('hands released buffers out again, the smallest that fits and no more than twice the size', () => {
    const arena = new BufferArena(shared);
    const big = arena.float64(100_000);
    const small = arena.uint32(10_000);
    expect(big.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(big.length).toBe(100_000);
    arena.release([big, small, undefined]);
    expect(arena.idleBytes).toBe(800_000 + 40_000);
    // 40,000 bytes wanted: the 40,000-byte buffer, not the 800,000-byte one.
    expect(arena.float64(5_000).buffer).toBe(small.buffer);
    // 300,000 bytes: the 800,000-byte buffer is more than twice that, so a new one.
    expect(arena.take(300_000).byteLength).toBe(300_000);
    const again = arena.float64(90_000);
    expect(again.buffer).toBe(big.buffer);
    expect(again.length).toBe(90_000);
    expect(arena.idleBytes).toBe(0);
    arena.clear();
  });

  it('keeps a buffer once when several arrays share it, and lets everything go when cleared', () => {
    const arena = new BufferArena(shared);
    const a = arena.float64(10);
    arena.release([a, new Float64Array(a.buffer, 8, 2), new Float64Array(4)]);
    expect(arena.idleBytes).toBe(80);
    arena.clear();
    expect(arena.idleBytes).toBe(0);
  });

  it('takes back only buffers it made, shared or plain as it was made for', () => {
    const plain = new BufferArena((bytes) => new ArrayBuffer(bytes));
    const mine = plain.float64(16);
    expect(mine.buffer).toBeInstanceOf(ArrayBuffer);
    plain.release([mine, new Float64Array(16), new Float64Array(new SharedArrayBuffer(128))]);
    expect(plain.idleBytes).toBe(128);
    expect(plain.float64(16).buffer).toBe(mine.buffer);
    plain.clear();
  });

  it('lets its buffers go after being idle', async () => {
    const arena = new BufferArena(shared, 20);
    arena.release([arena.float64(10)]);
    expect(arena.idleBytes).toBe(80);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(arena.idleBytes).toBe(0);
  });
});

describe('releaseBackfillMemory', () => {
  it('empties both backfill arenas at once', () => {
    sharedArena.release([sharedArena.float64(10)]);
    plainArena.release([plainArena.uint32(10)]);
    expect(sharedArena.idleBytes).toBeGreaterThan(0);
    expect(plainArena.idleBytes).toBeGreaterThan(0);
    releaseBackfillMemory();
    expect(sharedArena.idleBytes).toBe(0);
    expect(plainArena.idleBytes).toBe(0);
  });
});
