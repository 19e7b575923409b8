import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/demo/random.js';
import { columnDrift, datasetDrift, ksTest } from '../../../src/monitoring/drift/index.js';
import { profileColumn } from '../../../src/monitoring/profile/index.js';

function normals(seed: number, n: number, mean = 0, std = 1): Float64Array {
  const random = new Random(seed);
  return Float64Array.from({ length: n }, () => mean + std * random.normal());
}

function categories(seed: number, n: number, weights: Record<string, number>): string[] {
  const random = new Random(seed);
  const entries = Object.entries(weights);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  return Array.from({ length: n }, () => {
    let u = random.next() * total;
    for (const [value, w] of entries) {
      u -= w;
      if (u < 0) return value;
    }
    return (entries[entries.length - 1] as [string, number])[0];
  });
}

describe('the automatic choice of statistic (Evidently\'s defaults)', () => {
  it('uses KS at p < 0.05 for numbers with at most 1000 reference values', () => {
    const drift = columnDrift(profileColumn('x', normals(1, 800)), normals(2, 500));
    expect(drift).toMatchObject({ method: 'ks', threshold: 0.05, referenceCount: 800, currentCount: 500 });
    expect(drift.pValue).not.toBeNull();
  });

  it('uses the normalised Wasserstein distance at 0.1 above 1000 reference values', () => {
    const drift = columnDrift(profileColumn('x', normals(1, 5000)), normals(2, 500));
    expect(drift).toMatchObject({ method: 'wasserstein', threshold: 0.1, pValue: null });
  });

  it('uses chi-square for categories and numbers with few values, and the z-test for two values', () => {
    expect(columnDrift(profileColumn('c', categories(1, 500, { a: 1, b: 1, c: 1 })), ['a', 'b']).method).toBe('chi-square');
    expect(columnDrift(profileColumn('x', Float64Array.from({ length: 500 }, (_, i) => i % 4)), Float64Array.of(1, 2)).method).toBe('chi-square');
    expect(columnDrift(profileColumn('c', categories(1, 500, { yes: 1, no: 3 })), ['yes']).method).toBe('z-test');
    expect(columnDrift(profileColumn('x', Float64Array.from({ length: 500 }, (_, i) => i % 2)), Float64Array.of(1)).method).toBe('z-test');
  });

  it('uses Jensen-Shannon at 0.1 for categories above 1000 reference values', () => {
    const drift = columnDrift(profileColumn('c', categories(1, 3000, { a: 1, b: 1, c: 1 })), ['a']);
    expect(drift).toMatchObject({ method: 'jensen-shannon', threshold: 0.1, pValue: null });
  });

  it('counts distinct values over reference and current together: a third value turns the z-test into chi-square', () => {
    const reference = profileColumn('c', categories(1, 500, { yes: 1, no: 3 }));
    expect(columnDrift(reference, ['yes', 'no', 'maybe']).method).toBe('chi-square');
  });
});

describe('columnDrift on numbers', () => {
  const reference = profileColumn('amount', normals(11, 900, 50, 10));

  it('flags a shift of half a standard deviation', () => {
    const drift = columnDrift(reference, normals(12, 400, 55, 10));
    expect(drift.drifted).toBe(true);
    expect(drift.pValue).toBeLessThan(1e-6);
  });

  it('does not flag a fresh sample of the same distribution', () => {
    const drift = columnDrift(reference, normals(13, 400, 50, 10));
    expect(drift.drifted).toBe(false);
    expect(drift.pValue).toBeGreaterThan(0.05);
  });

  it('is ks_2samp between the profile\'s sample and the current values', () => {
    const current = normals(14, 300, 51, 10);
    const drift = columnDrift(reference, current);
    const direct = ksTest(Float64Array.from(reference.sample), current);
    expect([drift.statistic, drift.pValue]).toEqual([direct.statistic, direct.pValue]);
  });

  it('flags a shift and not a same-distribution sample with the Wasserstein distance of a large reference', () => {
    const large = profileColumn('amount', normals(21, 20_000, 50, 10));
    expect(columnDrift(large, normals(22, 2000, 53, 10)).drifted).toBe(true);
    expect(columnDrift(large, normals(23, 2000, 50, 10)).drifted).toBe(false);
  });

  it('bins the current values on the reference deciles, clamping values outside the training range', () => {
    const drift = columnDrift(reference, Float64Array.of(-1000, 50, 1000, Number.NaN));
    expect(drift.current.edges).toEqual(reference.histogram.edges);
    expect(drift.current.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(drift.current.counts[0]).toBe(1);
    expect(drift.current.counts[drift.current.counts.length - 1]).toBe(1);
    expect(drift.currentCount).toBe(3);
  });

  it('takes a method and a threshold per column', () => {
    const current = normals(15, 400, 52, 10);
    const drift = columnDrift(reference, current, { method: 'psi', threshold: 0.05 });
    expect(drift).toMatchObject({ method: 'psi', threshold: 0.05, pValue: null });
    expect(drift.drifted).toBe(drift.statistic >= 0.05);
    expect(columnDrift(reference, current, { method: 'ks', threshold: 1e-30 }).drifted).toBe(false);
  });

  it('divides the Wasserstein distance of a constant reference by 0.001', () => {
    const constant = profileColumn('x', new Float64Array(2000).fill(3));
    const drift = columnDrift(constant, Float64Array.of(3, 3, 3.001), { method: 'wasserstein' });
    expect(drift.statistic).toBeCloseTo(0.001 / 3 / 0.001, 9);
  });

  it('reports no drift when the window is empty', () => {
    expect(columnDrift(reference, new Float64Array(0))).toMatchObject({ drifted: false, statistic: 0, pValue: 1, currentCount: 0 });
  });

  it('refuses strings for a numeric column and a z-test on many values', () => {
    expect(() => columnDrift(reference, ['a'] as unknown as Float64Array)).toThrow(/value 0 of numeric column 'amount' is 'a'/);
    expect(() => columnDrift(reference, normals(1, 10), { method: 'z-test' })).toThrow(/compares two values/);
  });
});

describe('columnDrift on categories', () => {
  const weights = { card: 6, transfer: 3, cash: 1 };
  const reference = profileColumn('payment', categories(31, 1000, weights));

  it('flags a changed mix and not a same-mix sample', () => {
    expect(columnDrift(reference, categories(32, 600, { card: 3, transfer: 3, cash: 4 })).drifted).toBe(true);
    expect(columnDrift(reference, categories(33, 600, weights)).drifted).toBe(false);
  });

  it('puts unseen values in one (other) bin expected at half a reference row, so one stray row does not flag drift', () => {
    const current = [...categories(34, 999, weights), 'crypto'];
    const drift = columnDrift(reference, current);
    expect(drift.current.labels).toEqual(['card', 'transfer', 'cash', '(other)']);
    expect(drift.current.counts[3]).toBe(1);
    expect(drift.reference.counts[3]).toBe(0);
    expect(Number.isFinite(drift.statistic)).toBe(true);
    expect(drift.drifted).toBe(false);
    // …while a new value taking a tenth of the traffic does.
    expect(columnDrift(reference, [...categories(35, 900, weights), ...new Array<string>(100).fill('crypto')]).drifted).toBe(true);
  });

  it('ignores missing values and refuses numbers', () => {
    expect(columnDrift(reference, ['card', null, 'cash']).currentCount).toBe(2);
    expect(() => columnDrift(reference, Float64Array.of(1))).toThrow(/categories are strings or null/);
    expect(() => columnDrift(reference, ['card'], { method: 'ks' })).toThrow(/needs numbers/);
  });

  it('gives results that are plain JSON', () => {
    const drift = columnDrift(reference, categories(36, 100, weights));
    expect(JSON.parse(JSON.stringify(drift))).toStrictEqual(drift);
  });
});

describe('datasetDrift', () => {
  const reference = profileColumn('x', normals(41, 500));
  const shifted = columnDrift(reference, normals(42, 300, 1));
  const same = columnDrift(reference, normals(43, 300));

  it('drifts when at least half of the columns drifted, by default', () => {
    const drift = datasetDrift([shifted, same], { at: 1_700_000_000_000 });
    expect(drift).toMatchObject({ at: 1_700_000_000_000, windowSize: 300, driftShare: 0.5, drifted: true, shareThreshold: 0.5 });
    expect(datasetDrift([shifted, same, same]).drifted).toBe(false);
    expect(datasetDrift([shifted, same], { share: 0.75 }).drifted).toBe(false);
  });

  it('does not drift without columns, and refuses a share outside (0, 1]', () => {
    expect(datasetDrift([]).drifted).toBe(false);
    expect(() => datasetDrift([], { share: 0 })).toThrow(/share 0 must lie in/);
  });
});
