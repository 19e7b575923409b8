import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jensenShannon, ksTest, psi, wasserstein } from '../../../src/monitoring/drift/index.js';

const counts = (length: number) => fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: length, maxLength: length }).filter((c) => c.some((x) => x > 0));
const binPairs = fc.integer({ min: 1, max: 12 }).chain((length) => fc.tuple(counts(length), counts(length)));
// Integers (halved) so ties are common and a + c stays exact.
const sample = fc.array(fc.integer({ min: -50, max: 50 }).map((x) => x / 2), { minLength: 1, maxLength: 60 });

describe('PSI', () => {
  it('is non-negative, and zero for identical distributions', () => {
    fc.assert(
      fc.property(binPairs, fc.integer({ min: 1, max: 5 }), ([reference, current], k) => {
        expect(psi(reference, current)).toBeGreaterThanOrEqual(0);
        expect(psi(reference, reference.map((x) => x * k))).toBeCloseTo(0, 12);
      }),
    );
  });
});

describe('Jensen-Shannon distance', () => {
  it('is symmetric and lies in [0, √ln 2]', () => {
    fc.assert(
      fc.property(binPairs, ([p, q]) => {
        const d = jensenShannon(p, q);
        expect(d).toBe(jensenShannon(q, p));
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.sqrt(Math.LN2) + 1e-15);
        expect(jensenShannon(p, p)).toBe(0);
      }),
    );
  });
});

describe('Kolmogorov-Smirnov', () => {
  it('has D in [0, 1], a p-value in [0, 1], and D(a, a) = 0 with p = 1', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const result = ksTest(a, b);
        expect(result.statistic).toBeGreaterThanOrEqual(0);
        expect(result.statistic).toBeLessThanOrEqual(1);
        expect(result.pValue).toBeGreaterThanOrEqual(0);
        expect(result.pValue).toBeLessThanOrEqual(1);
        expect(ksTest(a, [...a].reverse())).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
      }),
    );
  });

  it('is symmetric in its samples', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        expect(ksTest(a, b)).toEqual(ksTest(b, a));
      }),
    );
  });
});

describe('Wasserstein distance', () => {
  it('is symmetric, non-negative, and W(a, a + c) = |c|', () => {
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -20, max: 20 }).map((c) => c / 4), (a, b, c) => {
        const d = wasserstein(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeCloseTo(wasserstein(b, a), 12);
        expect(wasserstein(a, a.map((x) => x + c))).toBeCloseTo(Math.abs(c), 12);
      }),
    );
  });
});
