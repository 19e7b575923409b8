import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exp } from '../../../src/models/shared/exp.js';

const relative = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

describe('exp (Tang 1989, table-driven)', () => {
  it('is within 5e-16 relative of Math.exp over its whole table range', () => {
    fc.assert(
      fc.property(fc.double({ min: -699.999, max: 699.999, noNaN: true }), (x) => {
        expect(relative(exp(x), Math.exp(x))).toBeLessThanOrEqual(5e-16);
      }),
      { numRuns: 20_000 },
    );
  });

  it('is within 5e-16 relative on the margins gradient boosting sees', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (x) => {
        expect(relative(exp(x), Math.exp(x))).toBeLessThanOrEqual(5e-16);
      }),
      { numRuns: 20_000 },
    );
  });

  it('is exact where e^x is: 0, and the edges of each table step', () => {
    expect(exp(0)).toBe(1);
    expect(exp(-0)).toBe(1);
    for (let k = -20; k <= 20; k++) expect(relative(exp((k * Math.LN2) / 32), 2 ** (k / 32))).toBeLessThanOrEqual(3e-16);
  });

  it('hands the far tails, infinities and NaN to Math.exp', () => {
    for (const x of [-1e308, -745.2, -700, 700, 709.7, 710, Infinity, -Infinity]) expect(exp(x)).toBe(Math.exp(x));
    expect(exp(Number.NaN)).toBeNaN();
  });
});
