import { describe, expect, it } from 'vitest';
import { WordKeyTable } from './word-key-table.js';

describe('WordKeyTable', () => {
  it('finds every stored key after growing, and misses keys it never stored', () => {
    const table = new WordKeyTable(3);
    const key = new Uint32Array(3);
    const keyOf = (i: number): Uint32Array => {
      key[0] = i;
      key[1] = i * 2654435761;
      key[2] = i % 7;
      return key;
    };
    const wrong: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      if (table.get(keyOf(i), 0) !== -1) wrong.push(i);
      table.set(keyOf(i), 0, i * 3);
    }
    for (let i = 0; i < 50_000; i++) if (table.get(keyOf(i), 0) !== i * 3) wrong.push(i);
    expect(wrong).toEqual([]);
    expect(table.get(keyOf(50_000), 0)).toBe(-1);
  });

  it('reads keys at an offset in a larger array', () => {
    const table = new WordKeyTable(2);
    const words = Uint32Array.from([9, 9, 1, 2, 3, 4]);
    table.set(words, 2, 7);
    expect(table.get(Uint32Array.from([1, 2]), 0)).toBe(7);
    expect(table.get(words, 4)).toBe(-1);
  });
});
