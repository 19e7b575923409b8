import { dataset, type Dataset } from '../../../src/models/dataset.js';

/** Seeded uniform [0, 1) (mulberry32), so test data is the same on every run. */
export function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A binary task on four features, `a` and `b` informative, 5 % of `c` missing. */
export function binarySet(rows: number, seed = 1): Dataset {
  const next = uniform(seed);
  const columns = [0, 1, 2, 3].map(() => new Float64Array(rows));
  const label = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = next() * 4 - 2;
    const b = next() * 4 - 2;
    const c = next();
    const d = Math.floor(next() * 6);
    const logit = 1.5 * a - b * b + (d === 2 ? 1 : 0) + 0.5 * c;
    label[i] = next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    columns[0]![i] = a;
    columns[1]![i] = b;
    columns[2]![i] = next() < 0.05 ? Number.NaN : c;
    columns[3]![i] = d;
  }
  return dataset({ featureNames: ['a', 'b', 'c', 'd'], columns, label });
}
