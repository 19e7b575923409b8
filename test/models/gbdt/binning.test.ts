import { describe, expect, it } from 'vitest';
import { MISSING_BIN, binBounds, binColumns, binOf } from '../../../src/models/gbdt/binning.js';
import { uniform } from './data.js';

const codesOf = (column: Float64Array, bounds: Float64Array): Uint8Array => {
  const out = new Uint8Array(column.length);
  binColumns([column], [bounds], column.length, out);
  return out;
};

describe('gbdt binning', () => {
  it('gives each distinct value its own bin when there are few, with bounds between values', () => {
    const column = Float64Array.of(3, 1, 2, 2, Number.NaN, 1, 3);
    const bounds = binBounds(column, 255);
    expect([...bounds]).toEqual([1.5, 2.5]);
    expect([...codesOf(column, bounds)]).toEqual([2, 0, 1, 1, MISSING_BIN, 0, 2]);
  });

  it('caps a continuous feature at maxBins bins of roughly equal counts', () => {
    const next = uniform(2);
    const column = Float64Array.from({ length: 50_000 }, () => next() ** 3);
    const bounds = binBounds(column, 64);
    expect(bounds.length).toBeLessThanOrEqual(63);
    expect(bounds.length).toBeGreaterThan(55);
    const counts = new Array<number>(64).fill(0);
    for (const code of codesOf(column, bounds)) counts[code]! += 1;
    expect(Math.max(...counts)).toBeLessThan(3 * (50_000 / 64));
  });

  it('codes a column as the binary search does, infinities and values outside the training range included', () => {
    const next = uniform(4);
    const train = Float64Array.from({ length: 5000 }, () => Math.round(next() * 1000) / 10);
    const bounds = binBounds(train, 255);
    const probe = Float64Array.from([...Array.from({ length: 5000 }, () => next() * 120 - 10), Infinity, -Infinity, Number.NaN, 0, 100]);
    const codes = codesOf(probe, bounds);
    probe.forEach((x, i) => expect(codes[i]).toBe(binOf(bounds, x)));
  });
});
