import { describe, expect, it } from 'vitest';
import { TandemError } from '../../../src/errors.js';
import { profileColumn } from '../../../src/monitoring/profile/index.js';
import { expectRelativelyClose, scipyFixtures } from '../drift/fixtures.js';

describe.each(scipyFixtures.quantiles)('a numeric profile of $name', (c) => {
  const profile = profileColumn('x', Float64Array.from(c.values));

  it('has numpy.quantile\'s 101 quantiles, bit for bit', () => {
    expect(profile.quantiles).toEqual(c.quantiles);
  });

  it('has numpy\'s mean and population std', () => {
    expectRelativelyClose(profile.mean ?? Number.NaN, c.mean, 1e-14, 1e-15);
    expectRelativelyClose(profile.std ?? Number.NaN, c.std, 1e-12, 1e-15);
  });
});

describe('profileColumn on numbers', () => {
  it('counts NaN and infinities as missing and summarises the rest', () => {
    const profile = profileColumn('amount', Float64Array.from([3, Number.NaN, 1, Infinity, 2, 2]));
    expect(profile).toMatchObject({ kind: 'number', name: 'amount', count: 6, missing: 2, min: 1, max: 3, mean: 2, distinct: 3 });
    expect(profile.sample).toEqual([1, 2, 2, 3]);
  });

  it('bins on the deciles, so each of the ten bins holds a tenth of the rows', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i);
    const profile = profileColumn('x', values);
    expect(profile.histogram.edges).toHaveLength(11);
    expect(profile.histogram.counts).toEqual(new Array(10).fill(100));
  });

  it('merges repeated edges and gives a constant column one bin', () => {
    const ties = profileColumn('x', Float64Array.from([0, 0, 0, 0, 0, 0, 0, 1, 2, 3]));
    // Deciles 0, 0, …, 0, 0.3, 1.2, 2.1, 3: the seven zeros share one edge.
    expect((ties.histogram.edges ?? []).map((edge) => Math.round(edge * 1e9) / 1e9)).toEqual([0, 0.3, 1.2, 2.1, 3]);
    expect(ties.histogram.counts).toEqual([7, 1, 1, 1]);
    const constant = profileColumn('x', Float64Array.from([5, 5, 5]));
    expect(constant.histogram).toEqual({ edges: [5, 5], counts: [3] });
  });

  it('keeps evenly spaced order statistics as its sample, in ascending order', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => 9999 - i);
    const profile = profileColumn('x', values, { sampleSize: 100 });
    expect(profile.sample).toHaveLength(100);
    expect(profile.sample[0]).toBe(50);
    expect(profile.sample[99]).toBe(9950);
    expect([...profile.sample].sort((a, b) => a - b)).toEqual(profile.sample);
  });

  it('caps distinct at 1000', () => {
    expect(profileColumn('x', Float64Array.from({ length: 5000 }, (_, i) => i)).distinct).toBe(1000);
  });

  it('describes an all-missing column with nulls and empty arrays', () => {
    expect(profileColumn('x', Float64Array.from([Number.NaN, Number.NaN]))).toEqual({
      kind: 'number', name: 'x', count: 2, missing: 2, min: null, max: null, mean: null, std: null,
      distinct: 0, quantiles: [], histogram: { edges: [], counts: [] }, sample: [],
    });
  });

  it('refuses a sample size that is not a positive integer, naming it', () => {
    expect(() => profileColumn('x', Float64Array.of(1), { sampleSize: 0 })).toThrow(/sampleSize 0 must be a positive integer/);
  });
});

describe('profileColumn on categories', () => {
  it('ranks values by frequency, then by value, and counts null as missing', () => {
    const profile = profileColumn('country', ['fr', 'de', null, 'fr', 'be', 'de', 'fr']);
    expect(profile).toEqual({
      kind: 'category', name: 'country', count: 7, missing: 1, distinct: 3,
      frequencies: [{ value: 'fr', count: 3 }, { value: 'de', count: 2 }, { value: 'be', count: 1 }],
      other: 0,
    });
  });

  it('keeps the 100 most frequent values and sums the rest in other', () => {
    const values = Array.from({ length: 150 }, (_, i) => `v${String(i).padStart(3, '0')}`);
    const profile = profileColumn('code', [...values, 'v000']);
    expect(profile.frequencies).toHaveLength(100);
    expect(profile.frequencies[0]).toEqual({ value: 'v000', count: 2 });
    expect(profile.other).toBe(50);
    expect(profile.distinct).toBe(150);
  });

  it('refuses a number among categories with a TandemError', () => {
    expect(() => profileColumn('c', ['a', 3 as unknown as string], { kind: 'category' })).toThrow(TandemError);
  });
});
