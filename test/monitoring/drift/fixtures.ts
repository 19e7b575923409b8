import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** A sample stored as values, or as the lattice rule generate.py and `sampleOf` evaluate alike. */
export type SampleSource =
  | { readonly values: number[] }
  | { readonly lattice: { n: number; multiplier: number; modulus: number; scale: number; offset: number } };

export interface ScipyFixtures {
  readonly generatedBy: string;
  readonly ks: { name: string; a: SampleSource; b: SampleSource; statistic: number; pValue: number }[];
  readonly kstwo: { n: number; x: number; sf: number }[];
  readonly smirnov: { n: number; x: number; sf: number }[];
  readonly gamma: { a: number; x: number; q: number; logGamma: number }[];
  readonly erfc: { x: number; erfc: number; normalSf: number }[];
  readonly chiSquare: { name: string; observed: number[]; expected: number[]; statistic: number; pValue: number }[];
  readonly jensenShannon: { name: string; p: number[]; q: number[]; distance: number }[];
  readonly wasserstein: { name: string; u: SampleSource; v: SampleSource; distance: number; referenceStd: number }[];
  readonly zTest: {
    name: string; referenceSuccesses: number; referenceTotal: number; currentSuccesses: number; currentTotal: number;
    statistic: number; pValue: number;
  }[];
  readonly psi: { name: string; reference: number[]; current: number[]; psi: number }[];
  readonly quantiles: { name: string; values: number[]; quantiles: number[]; mean: number; std: number }[];
}

// Made by test/fixtures/drift/generate.py with scipy.
export const scipyFixtures = JSON.parse(
  readFileSync(new URL('../../fixtures/drift/scipy-fixtures.json', import.meta.url), 'utf8'),
) as ScipyFixtures;

export function sampleOf(source: SampleSource): Float64Array {
  if ('values' in source) return Float64Array.from(source.values);
  const { n, multiplier, modulus, scale, offset } = source.lattice;
  const out = new Float64Array(n);
  // i · multiplier stays below 2^53, so the remainder is exact as in numpy's int64.
  for (let i = 0; i < n; i++) out[i] = (((i * multiplier) % modulus) / modulus) * scale + offset;
  return out;
}

/** |actual − expected| ≤ tolerance · |expected| (absolute below `floor`). */
export function expectRelativelyClose(actual: number, expected: number, tolerance: number, floor = 0): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(tolerance * Math.abs(expected), floor));
}
