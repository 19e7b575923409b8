import { SeededRandom } from '../../../src/models/shared/random.js';

/** 0/1 errors at `rate(i)`, seeded. */
export function bernoulliStream(length: number, rate: (i: number) => number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = random.next() < rate(i) ? 1 : 0;
  return out;
}

/** Normal losses with mean `mean(i)` and standard deviation `sd` (Box–Muller), seeded. */
export function gaussianStream(length: number, mean: (i: number) => number, sd: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const u = 1 - random.next();
    out[i] = mean(i) + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  }
  return out;
}
