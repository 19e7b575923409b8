import { describe, expect, it } from 'vitest';
import { measureThroughput } from '../../src/advise/measure.js';
import { DEFAULT_THROUGHPUT, withMeasuredEngine } from '../../src/advise/throughput.js';

describe('measuring this machine', () => {
  it('gives a positive per-core rate for each engine figure, which the cost model can use', () => {
    const steps: string[] = [];
    const measured = measureThroughput({ seconds: 0.05, onStep: (s) => steps.push(s) });
    expect(steps).toEqual(['stream apply', 'read + score', 'online updates', 'backfill']);
    for (const value of Object.values(measured)) expect(value).toBeGreaterThan(0);
    const throughput = withMeasuredEngine(DEFAULT_THROUGHPUT, measured);
    expect(throughput.streamApplyPerVcpu).toBe(measured.streamApplyPerVcpu);
    expect(throughput.ingestPerVcpu).toBeLessThan(measured.streamApplyPerVcpu);
  });
});
