import { describe, expect, it } from 'vitest';
import { ksTest } from '../../../src/monitoring/drift/ks-test.js';
import { expectRelativelyClose, sampleOf, scipyFixtures } from './fixtures.js';

describe.each(scipyFixtures.ks)('ksTest on $name', (c) => {
  it('gives the statistic and p-value of scipy.stats.ks_2samp', () => {
    const result = ksTest(sampleOf(c.a), sampleOf(c.b));
    expectRelativelyClose(result.statistic, c.statistic, 1e-12);
    expectRelativelyClose(result.pValue, c.pValue, result.method === 'exact' ? 1e-9 : 1e-9, 1e-300);
    expect(result.method).toBe(Math.max(sampleOf(c.a).length, sampleOf(c.b).length) <= 10_000 ? 'exact' : 'asymptotic');
  });
});
