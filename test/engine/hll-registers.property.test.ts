/**
 * The backfill's distinct-count sketches against the stream's: the same hashes in time order
 * and reads as of times that never go back must give the same estimates, exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrowingRegisters, SlidingRegisters, SweepingRegisters, estimateRegisters, rankOf, registerOf } from '../../src/engine/hll.js';

/** The estimate of a fresh scan: each register's highest rank among the hashes added at or after `lo`. */
function scanEstimate(added: readonly { t: number; hash: number }[], lo: number, precision: number): number {
  const registers = new Uint8Array(1 << precision);
  for (const { t, hash } of added) {
    if (t < lo) continue;
    const reg = registerOf(hash, precision);
    registers[reg] = Math.max(registers[reg]!, rankOf(hash, precision));
  }
  return estimateRegisters(registers);
}

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

describe('SlidingRegisters', () => {
  const slidingStep = fc.oneof(
    // An event, up to the allowed lateness (15) behind the latest, with a 32-bit hash.
    fc.record({ kind: fc.constant('add' as const), dt: fc.constantFrom(0, 1, 2, 3, 5, 20), late: fc.constantFrom(0, 0, 0, 1, 2, 7, 15), hash: fc.integer({ min: 0, max: 0xffffffff }) }),
    // A read as of now, or further back (a replay) as far as the engine allows.
    fc.record({ kind: fc.constant('read' as const), dt: fc.constantFrom(0, 1, 2, 3, 5, 20), back: fc.constantFrom(0, 0, 0, 1, 3, 12, 100) }),
    fc.record({ kind: fc.constant('clear' as const), dt: fc.constant(0) }),
  );

  it('estimates as a fresh scan of every register, for late adds and reads that go back', () => {
    fc.assert(
      fc.property(fc.array(slidingStep, { maxLength: 300 }), fc.integer({ min: 4, max: 8 }), fc.constantFrom(4, 10, 40, 1_000), (steps, precision, window) => {
        const lateness = 15;
        const sliding = new SlidingRegisters(precision);
        let added: { t: number; hash: number }[] = [];
        let now = 0;
        let keyMax = Number.NEGATIVE_INFINITY;
        for (const step of steps) {
          now += step.dt;
          if (step.kind === 'clear') {
            sliding.clear();
            added = [];
            keyMax = Number.NEGATIVE_INFINITY;
          } else if (step.kind === 'add') {
            const t = now - step.late;
            keyMax = Math.max(keyMax, t);
            sliding.add(t, step.hash, keyMax - window - lateness);
            added.push({ t, hash: step.hash });
          } else {
            // Never before what the adds may have dropped, as the engine's reads.
            const lo = Math.max(now + 1 - window - step.back, keyMax - window - lateness);
            expect(sliding.estimateFrom(lo)).toBe(scanEstimate(added, lo, precision));
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('SlidingRegisters, one entry at a time', () => {
  it('expires an entry added exactly at the last read\'s lower edge once a read moves past it', () => {
    const sliding = new SlidingRegisters(4);
    sliding.add(100, 0x0fffffff, 0);
    expect(sliding.estimateFrom(50)).toBe(1);
    // Back to 40 (a replay), forwards to 45: the heap of entry times now exists.
    expect(sliding.estimateFrom(40)).toBe(1);
    expect(sliding.estimateFrom(45)).toBe(1);
    // An entry at exactly 45, in another register, then a read past it.
    sliding.add(45, 0xf0000000, 0);
    expect(sliding.estimateFrom(45)).toBe(2);
    expect(sliding.estimateFrom(46)).toBe(1);
    expect(sliding.estimateFrom(101)).toBe(0);
  });
});

describe('SlidingRegisters, its heap of entry times', () => {
  // Entries added after the heap exists, each earlier than the last (late events, in decreasing
  // time), must each sift up to their place: a forward read pops exactly the entries before it.
  it('expires exactly the entries before each forward read, for late adds pushed in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 20, maxLength: 120 }),
        fc.array(fc.record({ t: fc.integer({ min: 2, max: 400 }), hash: fc.integer({ min: 0, max: 0xffffffff }) }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 4, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        (inOrder, late, precision, step) => {
          const sliding = new SlidingRegisters(precision);
          const added: { t: number; hash: number }[] = [];
          inOrder.forEach((hash, i) => {
            sliding.add(200 + 2 * i, hash, Number.NEGATIVE_INFINITY);
            added.push({ t: 200 + 2 * i, hash });
          });
          // The first read sets the registers, the second builds the heap (entries ≥ 1).
          sliding.estimateFrom(0);
          sliding.estimateFrom(1);
          // Late adds, latest first: every one lands above some heap entries and sifts up.
          for (const entry of [...late].sort((a, b) => b.t - a.t)) {
            sliding.add(entry.t, entry.hash, Number.NEGATIVE_INFINITY);
            added.push(entry);
          }
          for (let lo = 1; lo <= 200 + 2 * inOrder.length + step; lo += step) {
            expect(sliding.estimateFrom(lo)).toBe(scanEstimate(added, lo, precision));
          }
        },
      ),
      { numRuns: 300 },
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
