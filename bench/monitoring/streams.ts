/**
 * Synthetic error and loss streams with a planted change point, for the drift detector
 * benchmark. Every stream is drawn from SeededRandom, so a (scenario, seed) pair always gives the
 * same values.
 */
import { SeededRandom } from '../../src/models/shared/random.js';

export interface Scenario {
  readonly name: string;
  /** 'binary' streams are 0/1 errors (every detector); 'real' streams are losses (DDM does not apply). */
  readonly input: 'binary' | 'real';
  readonly length: number;
  /** Index of the first changed value; null for a stationary control. */
  readonly change: number | null;
  readonly generate: (seed: number) => Float64Array;
}

/** A standard normal draw (Box–Muller; the second value is discarded to keep streams simple). */
export function gaussian(random: SeededRandom): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

function bernoulli(length: number, rate: (i: number) => number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = random.next() < rate(i) ? 1 : 0;
  return out;
}

function normal(length: number, mean: (i: number) => number, sd: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = mean(i) + sd * gaussian(random);
  return out;
}

const BEFORE = 5_000;
const AFTER = 5_000;
const RAMP = 1_000;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'Bernoulli error rate 0.1 → 0.3, abrupt',
    input: 'binary',
    length: BEFORE + AFTER,
    change: BEFORE,
    generate: (seed) => bernoulli(BEFORE + AFTER, (i) => (i < BEFORE ? 0.1 : 0.3), seed),
  },
  {
    name: 'Bernoulli error rate 0.1 → 0.3 over 1000 steps',
    input: 'binary',
    length: BEFORE + AFTER,
    change: BEFORE,
    generate: (seed) => bernoulli(BEFORE + AFTER, (i) => 0.1 + 0.2 * Math.min(1, Math.max(0, (i - BEFORE) / RAMP)), seed),
  },
  {
    name: 'Gaussian loss N(1, 0.5²) → N(1.5, 0.5²), abrupt',
    input: 'real',
    length: BEFORE + AFTER,
    change: BEFORE,
    generate: (seed) => normal(BEFORE + AFTER, (i) => (i < BEFORE ? 1 : 1.5), 0.5, seed),
  },
  {
    name: 'stationary Bernoulli error rate 0.1 (control)',
    input: 'binary',
    length: 20_000,
    change: null,
    generate: (seed) => bernoulli(20_000, () => 0.1, seed),
  },
  {
    name: 'stationary Gaussian loss N(1, 0.5²) (control)',
    input: 'real',
    length: 20_000,
    change: null,
    generate: (seed) => normal(20_000, () => 1, 0.5, seed),
  },
];
