/**
 * A generated binary classification set for the model benchmarks: rows in time order, twelve
 * numeric features with missing values, a label from a non-linear, interacting function plus
 * noise (so trees and linear models differ), and a time split (the last 20 % is the test set).
 * Seeded; nothing downloaded. `writeForPython` hands the same data to the Python baselines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/demo/random.js';
import { dataset, type Dataset } from '../../src/models/dataset.js';

export interface ClassificationSet {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Event time (epoch ms) of every row, train then test, ascending. */
  readonly time: Float64Array;
}

export const FEATURE_NAMES = [
  'amount', 'amount_mean_24h', 'tx_count_1h', 'tx_count_24h', 'merchant_risk', 'distance_km',
  'account_age_d', 'hour', 'amount_std_7d', 'device_count_7d', 'country_mismatch', 'velocity',
] as const;

export function generateClassification(options: { rows: number; seed?: number; testShare?: number }): ClassificationSet {
  const { rows, seed = 42, testShare = 0.2 } = options;
  const random = new Random(seed);
  const columns = FEATURE_NAMES.map(() => new Float64Array(rows));
  const label = new Float64Array(rows);
  const time = new Float64Array(rows);
  const start = Date.UTC(2026, 0, 1);
  const col = (j: number): Float64Array => columns[j] as Float64Array;
  for (let i = 0; i < rows; i++) {
    time[i] = start + Math.floor((i / rows) * 90 * 86_400_000);
    // A slow drift over time, so a time split is harder than a random one.
    const drift = i / rows;
    const amount = Math.exp(3 + 1.2 * random.normal());
    const mean24 = amount * Math.exp(0.5 * random.normal());
    const count1h = Math.floor(random.exponential(1.5));
    const count24 = count1h + Math.floor(random.exponential(6));
    const merchantRisk = random.next() ** 3;
    const distance = random.exponential(40);
    const age = random.exponential(600);
    const hour = random.int(24);
    const std7 = mean24 * random.next();
    const devices = 1 + Math.floor(random.exponential(0.4));
    const mismatch = random.next() < 0.08 ? 1 : 0;
    const velocity = distance / (1 + random.exponential(3));
    const values = [amount, mean24, count1h, count24, merchantRisk, distance, age, hour, std7, devices, mismatch, velocity];
    const logit =
      -4.2 +
      1.1 * Math.log(amount / mean24) +
      0.35 * Math.min(count1h, 8) +
      2.4 * merchantRisk * (1 + mismatch) +
      0.9 * mismatch * (hour < 6 ? 1.5 : 0.4) +
      0.6 * Math.log1p(velocity) * (age < 60 ? 1 : 0.2) +
      0.5 * (devices - 1) +
      0.8 * drift * merchantRisk +
      0.4 * random.normal();
    label[i] = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    for (let j = 0; j < values.length; j++) {
      // Missing at different rates per feature: 0 % to ~16 %.
      col(j)[i] = random.next() < 0.015 * (j % 12) ? Number.NaN : (values[j] as number);
    }
  }
  const cut = Math.floor(rows * (1 - testShare));
  const slice = (from: number, to: number): Dataset =>
    dataset({
      featureNames: FEATURE_NAMES,
      columns: columns.map((c) => c.slice(from, to)),
      label: label.slice(from, to),
    });
  return { train: slice(0, cut), test: slice(cut, rows), time };
}

/**
 * Writes `train.f64` / `test.f64` (row-major float64, label last, NaN = missing) and
 * `meta.json` for bench/models/python/*.py.
 */
export function writeForPython(set: ClassificationSet, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, data: Dataset): void => {
    const width = data.featureNames.length + 1;
    const out = new Float64Array(data.rows * width);
    for (let i = 0; i < data.rows; i++) {
      for (let j = 0; j < data.featureNames.length; j++) out[i * width + j] = (data.columns[j] as Float64Array)[i] as number;
      out[i * width + width - 1] = (data.label as Float64Array)[i] as number;
    }
    writeFileSync(join(dir, `${name}.f64`), new Uint8Array(out.buffer));
  };
  write('train', set.train);
  write('test', set.test);
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ features: set.train.featureNames, trainRows: set.train.rows, testRows: set.test.rows }),
  );
}
