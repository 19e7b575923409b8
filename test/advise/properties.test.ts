import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES } from '../../src/advise/architectures.js';
import { estimateCost } from '../../src/advise/cost.js';
import { AUDIT_LEVELS, DRIFT_LEVELS, SKILLS, TASKS, parseProfile, type ProfileInput } from '../../src/advise/profile.js';
import { recommend } from '../../src/advise/recommend.js';
import { DEFAULT_THROUGHPUT } from '../../src/advise/throughput.js';

const ms = fc.integer({ min: 1, max: 30 * 86_400_000 });
const profiles: fc.Arbitrary<ProfileInput> = fc.record({
  latency: ms,
  eventsPerSecond: fc.record({ peak: fc.integer({ min: 1, max: 1_000_000 }), average: fc.constant(undefined) }).map(({ peak }) => ({ peak, average: Math.ceil(peak / 3) })),
  freshness: ms,
  budgetPerMonth: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  audit: fc.constantFrom(...AUDIT_LEVELS),
  teamSkills: fc.subarray([...SKILLS]),
  labelDelay: ms,
  drift: fc.constantFrom(...DRIFT_LEVELS),
  task: fc.constantFrom(...TASKS),
});

/** How many eligible architectures rank above batch (Infinity when batch is ruled out). */
function batchBehind(input: ProfileInput): number {
  const r = recommend(parseProfile(input));
  const batch = r.ranking.findIndex((x) => x.architecture === 'batch');
  return r.ranking[batch]!.ruledOutBy.length > 0 ? Infinity : batch;
}

describe('invariants of the advice', () => {
  it('asking for fresher features never makes batch more preferred', () => {
    fc.assert(
      fc.property(profiles, fc.double({ min: 0.001, max: 1, noNaN: true }), (input, factor) => {
        const fresher = { ...input, freshness: Math.max(1, Math.floor((input.freshness as number) * factor)) };
        const before = recommend(parseProfile(input)).ranking.find((x) => x.architecture === 'batch')!;
        const after = recommend(parseProfile(fresher)).ranking.find((x) => x.architecture === 'batch')!;
        expect(batchBehind(fresher)).toBeGreaterThanOrEqual(batchBehind(input));
        if (after.ruledOutBy.length === 0) expect(after.score).toBeLessThanOrEqual(before.score + 1e-9);
      }),
      { numRuns: 200 },
    );
  });

  it('the monthly cost of every architecture never falls as events per second rise', () => {
    fc.assert(
      fc.property(profiles, fc.integer({ min: 1, max: 1_000_000 }), (input, more) => {
        const eps = input.eventsPerSecond as { peak: number; average: number };
        const higher = { ...input, eventsPerSecond: { peak: eps.peak + more, average: eps.average + Math.floor(more / 3) } };
        for (const a of ARCHITECTURES) {
          expect(estimateCost(a, parseProfile(higher), DEFAULT_THROUGHPUT).total).toBeGreaterThanOrEqual(estimateCost(a, parseProfile(input), DEFAULT_THROUGHPUT).total - 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the winner is never ruled out, and it is the best-scoring eligible architecture', () => {
    fc.assert(
      fc.property(profiles, (input) => {
        const r = recommend(parseProfile(input));
        expect(r.ranking[0]!.ruledOutBy).toEqual([]);
        for (const x of r.ranking) if (x.ruledOutBy.length === 0) expect(x.score).toBeLessThanOrEqual(r.score);
        expect(r.decidingCriteria.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
