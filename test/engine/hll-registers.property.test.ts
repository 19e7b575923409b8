/**
 * The backfill's distinct-count sketches against the stream's: the same hashes in time order
 * and reads as of times that never go back must give the same estimates, exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrowingRegisters, SlidingRegisters, SweepingRegisters, estimateRegisters, rankOf, registerOf } from '../../src/engine/hll.js';

const stepArb = fc.oneof(
  // An event: time advances by 0 (a tie) or more, with a 32-bit hash.
  fc.record({ kind: fc.constant('add' as const), dt: fc.constantFrom(0, 0, 1, 5, 20), hash: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ kind: fc.constant('read' as const), dt: fc.constantFrom(0, 1, 5, 20) }),
);

describe('SweepingRegisters', () => {
  it('estimates exactly as SlidingRegisters for in-order adds and reads that never go back', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 300 }), fc.integer({ min: 4, max: 8 }), fc.constantFrom(10, 40, 1_000), (steps, precision, window) => {
        const sliding = new SlidingRegisters(precision);
        const sweeping = new SweepingRegisters(precision);
        let t = 0;
        for (const step of steps) {
          t += step.dt;
          if (step.kind === 'add') {
            sliding.add(t, step.hash, t - window);
            sweeping.add(t, step.hash);
          } else {
            // A read as of t + 1 (every entry before it), window [t + 1 − w, ∞).
            expect(sweeping.estimateFrom(t + 1 - window)).toBe(sliding.estimateFrom(t + 1 - window));
          }
        }
        sweeping.clear();
        expect(sweeping.estimateFrom(t)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('GrowingRegisters', () => {
  it('estimates as the registers of every hash added since the last clear', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 400 }), fc.integer({ min: 4, max: 10 }), (hashes, precision) => {
        const growing = new GrowingRegisters(precision);
        growing.add(12345);
        growing.clear();
        const registers = new Uint8Array(1 << precision);
        for (const hash of hashes) {
          growing.add(hash);
          const reg = registerOf(hash, precision);
          registers[reg] = Math.max(registers[reg]!, rankOf(hash, precision));
        }
        expect(growing.estimate()).toBe(estimateRegisters(registers));
      }),
    );
  });
});
