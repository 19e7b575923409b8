import { describe, it } from 'vitest';
import { upperRegularizedGamma } from '../../../src/monitoring/drift/math/incomplete-gamma.js';
import { kolmogorovSf } from '../../../src/monitoring/drift/math/kolmogorov.js';
import { logGamma } from '../../../src/monitoring/drift/math/log-gamma.js';
import { erfc, normalSf } from '../../../src/monitoring/drift/math/normal.js';
import { smirnovSf } from '../../../src/monitoring/drift/math/smirnov.js';
import { expectRelativelyClose, scipyFixtures } from './fixtures.js';

describe('special functions against scipy.special', () => {
  it('log-gamma matches gammaln', () => {
    for (const c of scipyFixtures.gamma) expectRelativelyClose(logGamma(c.a), c.logGamma, 1e-13, 1e-14);
  });

  it('the regularized upper incomplete gamma matches gammaincc, tails included', () => {
    for (const c of scipyFixtures.gamma) expectRelativelyClose(upperRegularizedGamma(c.a, c.x), c.q, 1e-12, 1e-300);
  });

  it('erfc and the normal survival function match erfc and norm.sf', () => {
    for (const c of scipyFixtures.erfc) {
      expectRelativelyClose(erfc(c.x), c.erfc, 1e-13);
      expectRelativelyClose(normalSf(c.x), c.normalSf, 1e-13);
    }
  });

  it('the one-sided Smirnov tail matches smirnov', () => {
    for (const c of scipyFixtures.smirnov) expectRelativelyClose(smirnovSf(c.n, c.x), c.sf, 1e-11, 1e-300);
  });

  it('the two-sided Kolmogorov tail matches kstwo.sf on every branch', () => {
    for (const c of scipyFixtures.kstwo) expectRelativelyClose(kolmogorovSf(c.n, c.x), c.sf, 1e-10, 1e-15);
  });
});
