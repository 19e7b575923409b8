import { describe, expect, it } from 'vitest';
import { chiSquare } from '../../../src/monitoring/drift/chi-square.js';
import { jensenShannon } from '../../../src/monitoring/drift/jensen-shannon.js';
import { ksTest } from '../../../src/monitoring/drift/ks-test.js';
import { psi } from '../../../src/monitoring/drift/psi.js';
import { normalizedWasserstein, wasserstein } from '../../../src/monitoring/drift/wasserstein.js';
import { zTest } from '../../../src/monitoring/drift/z-test.js';
import { expectRelativelyClose, sampleOf, scipyFixtures } from './fixtures.js';

describe.each(scipyFixtures.ks)('ksTest on $name', (c) => {
  it('gives the statistic and p-value of scipy.stats.ks_2samp', () => {
    const result = ksTest(sampleOf(c.a), sampleOf(c.b));
    expectRelativelyClose(result.statistic, c.statistic, 1e-12);
    // Exact p-values agree to the last bit in practice; asymptotic ones to about 1e-11.
    expectRelativelyClose(result.pValue, c.pValue, 1e-9, 1e-300);
    expect(result.method).toBe(Math.max(sampleOf(c.a).length, sampleOf(c.b).length) <= 10_000 ? 'exact' : 'asymptotic');
  });
});

describe.each(scipyFixtures.chiSquare)('chiSquare on $name', (c) => {
  it('gives the statistic and p-value of scipy.stats.chisquare', () => {
    const result = chiSquare(c.observed, c.expected);
    expectRelativelyClose(result.statistic, c.statistic, 1e-12);
    expectRelativelyClose(result.pValue, c.pValue, 1e-12, 1e-300);
    expect(result.degreesOfFreedom).toBe(c.observed.length - 1);
  });
});

describe.each(scipyFixtures.jensenShannon)('jensenShannon on $name', (c) => {
  it('gives scipy.spatial.distance.jensenshannon', () => {
    expectRelativelyClose(jensenShannon(c.p, c.q), c.distance, 1e-12);
  });
});

describe.each(scipyFixtures.wasserstein)('wasserstein on $name', (c) => {
  it('gives scipy.stats.wasserstein_distance, and the normalised form divides by the reference std', () => {
    const u = sampleOf(c.u);
    const v = sampleOf(c.v);
    expectRelativelyClose(wasserstein(u, v), c.distance, 1e-12);
    expectRelativelyClose(normalizedWasserstein(u, v), c.distance / c.referenceStd, 1e-12);
  });
});

describe.each(scipyFixtures.zTest)('zTest on $name', (c) => {
  it('gives the pooled z and the two-sided p-value from scipy.stats.norm.sf', () => {
    const result = zTest(c.referenceSuccesses, c.referenceTotal, c.currentSuccesses, c.currentTotal);
    expectRelativelyClose(result.statistic, c.statistic, 1e-12);
    expectRelativelyClose(result.pValue, c.pValue, 1e-12);
  });
});

describe.each(scipyFixtures.psi)('psi on $name', (c) => {
  it('gives the PSI formula with Evidently\'s 0.0001 for empty bins', () => {
    expectRelativelyClose(psi(c.reference, c.current), c.psi, 1e-12);
  });
});
