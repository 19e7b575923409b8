import { describe, expect, it } from 'vitest';
import { approxDistinct, count, lastK, mean, std, sum, variance } from '../../src/index.js';
import { distinctTolerance, mismatch, notClose, notIdentical } from './compare.js';

const cell = (value: number | null | readonly number[], magnitude = 0) => ({ value, magnitude });

describe('comparing engine values with the reference', () => {
  it('accepts rounding within a relative 1e-9 and rejects more', () => {
    expect(mismatch(sum('x'), cell(0.3), 0.1 + 0.2)).toBeUndefined();
    expect(mismatch(sum('x'), cell(1e12), 1e12 + 1e-4)).toBeUndefined();
    expect(mismatch(sum('x'), cell(0.3), 0.3000001907348633)).toMatch(/expected 0.3, got 0.30000019/);
    expect(mismatch(mean('x'), cell(0), 1e-10)).toBeUndefined(); // the floor of 1
  });

  it('tells null from 0 and counts exactly', () => {
    expect(mismatch(mean('x'), cell(null), 0)).toMatch(/expected null/);
    expect(mismatch(sum('x'), cell(0), null)).toMatch(/got null/);
    expect(mismatch(count(), cell(3), 3.0000000001)).toMatch(/expected 3/);
  });

  it('scales variance by the square of the window’s largest value, and std through its square', () => {
    // Values near 1e6: Σx² cancellation leaves errors near 1e12 · ε ≈ 1e-4 on a variance of 0.
    expect(mismatch(variance('x'), cell(0, 1e6), 1e-4)).toBeUndefined();
    expect(mismatch(std('x'), cell(0, 1e6), 1e-2)).toBeUndefined();
    expect(mismatch(variance('x'), cell(0.25, 1), 0)).toMatch(/expected 0.25, got 0/);
    expect(mismatch(std('x'), cell(0.5, 1), 0)).toMatch(/expected 0.5, got 0/);
  });

  it('compares lastK arrays element by element, exactly', () => {
    expect(mismatch(lastK('x', { k: 2 }), cell([2, 1]), [2, 1])).toBeUndefined();
    expect(mismatch(lastK('x', { k: 2 }), cell([2, 1]), [1, 2])).toBeDefined();
    expect(mismatch(lastK('x', { k: 2 }), cell([]), null)).toBeDefined();
  });

  it('requires exact distinct counts for 0 and 1 values and allows register collisions beyond', () => {
    expect(distinctTolerance(0, 12)).toBe(0);
    expect(distinctTolerance(1, 12)).toBeLessThan(1);
    expect(distinctTolerance(2, 12)).toBeGreaterThanOrEqual(1);
    expect(distinctTolerance(100_000, 12)).toBeCloseTo(3 * (1.04 / 64) * 100_000);
    expect(mismatch(approxDistinct('x'), cell(1), 2)).toMatch(/tolerance/);
    expect(mismatch(approxDistinct('x'), cell(1000), 1040)).toBeUndefined();
  });

  it('between drivers: identical means Object.is, close means the same tolerance', () => {
    expect(notIdentical(0.0225, 0.02249999999999993)).toBeDefined();
    expect(notIdentical([1, 'a'], [1, 'a'])).toBeUndefined();
    expect(notClose(variance('x'), 0.0225, 0.02249999999999993, 0.3)).toBeUndefined();
    expect(notClose(mean('x'), null, 0, 0)).toBeDefined();
  });
});
