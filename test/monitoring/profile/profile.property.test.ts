import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileColumn, profileDataset } from '../../../src/monitoring/profile/index.js';

const numbers = fc.array(
  fc.oneof(fc.double({ noDefaultInfinity: false }), fc.integer({ min: -5, max: 5 }).map((x) => x / 2)),
  { maxLength: 300 },
);
const categories = fc.array(fc.option(fc.string({ maxLength: 3 }), { nil: null }), { maxLength: 300 });

describe('profiles as JSON', () => {
  it('a numeric profile survives JSON.stringify and JSON.parse unchanged', () => {
    fc.assert(
      fc.property(numbers, fc.integer({ min: 1, max: 50 }), (values, sampleSize) => {
        const profile = profileColumn('x', Float64Array.from(values), { sampleSize });
        expect(JSON.parse(JSON.stringify(profile))).toStrictEqual(profile);
      }),
    );
  });

  it('gives a mean that underflows from below as 0, not −0, which JSON cannot hold', () => {
    // Found by the property above: (1e-323 − 1.5e-323) / 2 rounds to −0.
    const profile = profileColumn('x', Float64Array.from([1e-323, -1.5e-323]));
    expect(Object.is(profile.kind === 'number' ? profile.mean : undefined, 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(profile))).toStrictEqual(profile);
  });

  it('a categorical profile and a dataset profile survive the round trip unchanged', () => {
    fc.assert(
      fc.property(categories, (values) => {
        const profile = profileDataset({
          features: [
            { name: 'c', kind: 'category', values },
            { name: 'x', kind: 'number', values: Float64Array.from(values, (v) => (v === null ? Number.NaN : v.length)) },
          ],
          prediction: { name: 'score', kind: 'number', values: Float64Array.from(values, (_, i) => i / 7) },
        });
        expect(JSON.parse(JSON.stringify(profile))).toStrictEqual(profile);
      }),
    );
  });
});

describe('numeric profiles', () => {
  it('have ascending quantiles from min to max, counts that add up, and a sorted sample', () => {
    fc.assert(
      fc.property(numbers, (values) => {
        const profile = profileColumn('x', Float64Array.from(values), { sampleSize: 20 });
        const present = values.filter((v) => Number.isFinite(v));
        expect(profile.count - profile.missing).toBe(present.length);
        if (present.length === 0) return;
        expect(profile.quantiles[0]).toBe(profile.min);
        expect(profile.quantiles[100]).toBe(profile.max);
        for (let i = 1; i < 101; i++) expect(profile.quantiles[i]).toBeGreaterThanOrEqual(profile.quantiles[i - 1] as number);
        expect(profile.histogram.counts.reduce((a, b) => a + b, 0)).toBe(present.length);
        for (let i = 1; i < profile.sample.length; i++) expect(profile.sample[i]).toBeGreaterThanOrEqual(profile.sample[i - 1] as number);
      }),
    );
  });
});
