/**
 * The model contract suites, as River's `check_estimator`: every online model runs
 * `checkOnlineModel`, every batch model `checkBatchModel`. The checks are also available as plain
 * functions (`onlineModelChecks`, `batchModelChecks`) so a test can show that a broken model fails.
 */
import { describe, expect, it } from 'vitest';
import { TandemError } from '../../src/errors.js';
import { parseArtifact, serializeArtifact, type ModelArtifact } from '../../src/models/artifact.js';
import { dataset, rowOf, type Dataset } from '../../src/models/dataset.js';
import type { BatchModel, Model, OnlineModel, Row } from '../../src/models/model.js';
import { SeededRandom } from '../../src/models/shared/random.js';

export interface Check {
  readonly name: string;
  readonly run: () => void;
}

export interface OnlineCheckOptions {
  /** Loads an artifact of this kind back into a model. */
  readonly fromArtifact: (artifact: ModelArtifact) => OnlineModel;
  /** The stream to learn; default `mixedStream()`: numbers in [0, 1], strings, booleans, missing values. */
  readonly rows?: readonly Row[];
  readonly labels?: ArrayLike<number>;
  /** Whether a feature first seen mid-stream must change the model's state. @default true */
  readonly learnsEmergingFeatures?: boolean;
}

export interface BatchCheckOptions {
  readonly fromArtifact: (artifact: ModelArtifact) => BatchModel;
}

/** Registers the online contract checks as vitest tests under `name`. */
export function checkOnlineModel(name: string, factory: (seed: number) => OnlineModel, options: OnlineCheckOptions): void {
  describe(`${name} (online model contract)`, () => {
    for (const check of onlineModelChecks(factory, options)) it(check.name, check.run);
  });
}

/** Registers the batch contract checks as vitest tests under `name`. */
export function checkBatchModel(name: string, factory: (seed: number) => BatchModel, data: Dataset, options: BatchCheckOptions): void {
  describe(`${name} (batch model contract)`, () => {
    for (const check of batchModelChecks(factory, data, options)) it(check.name, check.run);
  });
}

/** A seeded stream with every kind of value a Row may hold; `late` appears only in its second half. */
export function mixedStream(length = 600, seed = 7): { rows: readonly Row[]; labels: Float64Array } {
  const random = new SeededRandom(seed);
  const colors = ['red', 'green', 'blue'] as const;
  const rows: Row[] = [];
  const labels = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const a = random.next();
    const b = random.next();
    const color = colors[random.int(3)] as string;
    const member = random.next() < 0.5;
    const row: Record<string, number | string | boolean | null> = { a, b: random.next() < 0.1 ? Number.NaN : b, color, member };
    const c = random.next();
    if (c < 0.9) row['c'] = c;
    else if (c < 0.95) row['c'] = null;
    if (i >= length / 2 && random.next() < 0.5) row['late'] = random.next();
    rows.push(Object.freeze(row));
    labels[i] = a + (color === 'red' ? 0.4 : 0) + (member ? 0.3 : 0) + 0.2 * random.next() > 0.9 ? 1 : 0;
  }
  return { rows, labels };
}

/** Rows a serving path may send a model that never saw them: empty, all missing, unknown names, unseen categories. */
export const ODD_ROWS: readonly Row[] = [
  {},
  { a: null, b: undefined, c: Number.NaN },
  { a: Infinity, b: -Infinity },
  { never_seen_feature: 0.5, color: 'purple', member: true },
  { a: 0.5, color: 42, member: 'yes' },
].map((row) => Object.freeze(row));

export function onlineModelChecks(factory: (seed: number) => OnlineModel, options: OnlineCheckOptions): Check[] {
  const stream = options.rows === undefined ? mixedStream() : { rows: options.rows, labels: options.labels ?? new Float64Array(options.rows.length) };
  const { rows, labels } = stream;
  const half = Math.floor(rows.length / 2);
  const firstRows = rows.slice(0, half);
  const firstLabels = Array.from(labels).slice(0, half);
  const trained = (seed = 1, upTo = rows.length): OnlineModel => {
    const model = factory(seed);
    for (let i = 0; i < upTo; i++) model.learnOne(rows[i] as Row, labels[i] as number);
    return model;
  };
  const checks: Check[] = [
    {
      name: 'serializes to an artifact that loads back and predicts identically',
      run: () => {
        const model = trained(1, half);
        const text = serializeArtifact(model.toArtifact());
        const loaded = options.fromArtifact(parseArtifact(text));
        expect(serializeArtifact(loaded.toArtifact())).toBe(text);
        expectSamePredictions(model, loaded, [...rows, ...ODD_ROWS]);
      },
    },
    {
      name: 'gives byte-identical artifacts for the same seed and data',
      run: () => {
        expect(serializeArtifact(trained(3).toArtifact())).toBe(serializeArtifact(trained(3).toArtifact()));
      },
    },
    {
      name: 'learns the same from learnMany as from learnOne in a loop',
      run: () => {
        const many = factory(1);
        many.learnMany(firstRows, firstLabels);
        expect(serializeArtifact(many.toArtifact())).toBe(serializeArtifact(trained(1, half).toArtifact()));
      },
    },
    {
      name: 'continues learning from a clone of its artifact exactly as the original does',
      run: () => {
        const original = trained(1, half);
        const clone = options.fromArtifact(parseArtifact(serializeArtifact(original.toArtifact())));
        for (let i = half; i < rows.length; i++) {
          original.learnOne(rows[i] as Row, labels[i] as number);
          clone.learnOne(rows[i] as Row, labels[i] as number);
        }
        expect(serializeArtifact(clone.toArtifact())).toBe(serializeArtifact(original.toArtifact()));
        expectSamePredictions(original, clone, rows);
      },
    },
    {
      name: 'predicts finite values while learning, in the range its task promises',
      run: () => {
        const model = factory(1);
        rows.forEach((row, i) => {
          expectValidPrediction(model, row);
          model.learnOne(row, labels[i] as number);
        });
      },
    },
    {
      name: 'copes with missing values, unknown features and unseen categories',
      run: () => {
        const model = trained(1, half);
        for (const row of ODD_ROWS) expectValidPrediction(model, row);
        for (const row of ODD_ROWS) model.learnOne(row, labels[0] as number);
        for (const row of [...ODD_ROWS, ...rows]) expectValidPrediction(model, row);
      },
    },
  ];
  if (options.learnsEmergingFeatures ?? true) {
    checks.push({
      name: 'learns from a feature first seen mid-stream',
      run: () => {
        const withFeature = trained(1, half);
        const without = trained(1, half);
        for (let i = half; i < rows.length; i++) {
          const y = labels[i] as number;
          withFeature.learnOne({ ...rows[i], emerging_feature: y === 1 ? 0.9 : 0.1 }, y);
          without.learnOne(rows[i] as Row, y);
        }
        expect(serializeArtifact(withFeature.toArtifact())).not.toBe(serializeArtifact(without.toArtifact()));
      },
    });
  }
  return checks;
}

export function batchModelChecks(factory: (seed: number) => BatchModel, data: Dataset, options: BatchCheckOptions): Check[] {
  const fitted = (seed = 1): BatchModel => {
    const model = factory(seed);
    model.fit(data);
    return model;
  };
  const rowsOf = (d: Dataset): Row[] => Array.from({ length: d.rows }, (_, i) => rowOf(d, i));
  return [
    {
      name: 'refuses to predict or serialize before fit with TANDEM_NOT_FITTED',
      run: () => {
        const model = factory(1);
        expectTandemError(() => model.predictOne(rowOf(data, 0)), 'TANDEM_NOT_FITTED');
        expectTandemError(() => model.predict(data), 'TANDEM_NOT_FITTED');
        expectTandemError(() => model.toArtifact(), 'TANDEM_NOT_FITTED');
      },
    },
    {
      name: 'fits deterministically: the same seed and data give byte-identical artifacts',
      run: () => {
        expect(serializeArtifact(fitted(5).toArtifact())).toBe(serializeArtifact(fitted(5).toArtifact()));
      },
    },
    {
      name: 'serializes to an artifact that loads back and predicts bit for bit',
      run: () => {
        const model = fitted();
        const text = serializeArtifact(model.toArtifact());
        const loaded = options.fromArtifact(parseArtifact(text));
        expect(serializeArtifact(loaded.toArtifact())).toBe(text);
        expectSameBits(loaded.predict(data), model.predict(data), 'predict after loading');
        if (model.predictProba && loaded.predictProba) expectSameBits(loaded.predictProba(data), model.predictProba(data), 'predictProba after loading');
        expectSamePredictions(model, loaded, [...rowsOf(data), ...ODD_ROWS]);
      },
    },
    {
      name: 'predicts each row with predictOne exactly as predict does for the whole set, all finite',
      run: () => {
        const model = fitted();
        const rows = rowsOf(data);
        model.predict(data).forEach((p, i) => expect(Number.isFinite(p), `predict row ${i} = ${p}`).toBe(true));
        expectSameBits(Float64Array.from(rows, (row) => model.predictOne(row)), model.predict(data), 'predictOne vs predict');
        if (model.predictProba && model.predictProbaOne) {
          const one = model.predictProbaOne.bind(model);
          expectSameBits(Float64Array.from(rows, (row) => one(row)), model.predictProba(data), 'predictProbaOne vs predictProba');
        }
      },
    },
    {
      name: 'treats absent columns as missing and ignores unknown ones',
      run: () => {
        const model = fitted();
        for (const row of ODD_ROWS) expect(Number.isFinite(model.predictOne(row)), `predictOne(${JSON.stringify(row)})`).toBe(true);
        const [dropped, ...keptNames] = data.featureNames;
        const keptColumns = data.columns.slice(1);
        const absent = dataset({ featureNames: keptNames, columns: keptColumns });
        const allMissing = dataset({ featureNames: data.featureNames, columns: [new Float64Array(data.rows).fill(Number.NaN), ...keptColumns] });
        const extra = dataset({ featureNames: [...data.featureNames, 'never_seen_feature'], columns: [...data.columns, new Float64Array(data.rows).fill(7)] });
        const predictions = model.predict(absent);
        for (const p of predictions) expect(Number.isFinite(p), `a prediction without column '${String(dropped)}'`).toBe(true);
        expectSameBits(predictions, model.predict(allMissing), 'an absent column vs an all-NaN one');
        expectSameBits(Float64Array.from(rowsOf(absent), (row) => model.predictOne(row)), predictions, 'predictOne without the column');
        expectSameBits(model.predict(extra), model.predict(data), 'an unknown extra column');
      },
    },
    {
      name: 'replaces an earlier fit when fitted again',
      run: () => {
        const model = factory(1);
        const firstHalf = Array.from({ length: Math.max(2, Math.floor(data.rows / 2)) }, (_, i) => i);
        model.fit(takeSome(data, firstHalf));
        model.fit(data);
        expect(serializeArtifact(model.toArtifact())).toBe(serializeArtifact(fitted().toArtifact()));
      },
    },
  ];
}

function takeSome(data: Dataset, indices: readonly number[]): Dataset {
  const pick = (column: Float64Array): Float64Array => Float64Array.from(indices, (i) => column[i] as number);
  return dataset({
    featureNames: data.featureNames,
    columns: data.columns.map(pick),
    ...(data.label ? { label: pick(data.label) } : {}),
    ...(data.weight ? { weight: pick(data.weight) } : {}),
  });
}

function expectValidPrediction(model: Model, row: Row): void {
  const p = model.predictOne(row);
  const where = `${model.kind}.predictOne(${JSON.stringify(row)})`;
  expect(Number.isFinite(p), `${where} = ${p}`).toBe(true);
  if (model.task === 'binary') {
    expect([0, 1], where).toContain(p);
    const proba = model.predictProbaOne?.(row);
    expect(proba !== undefined && proba >= 0 && proba <= 1, `${model.kind}.predictProbaOne = ${proba}`).toBe(true);
  }
}

function expectSamePredictions(a: Model, b: Model, rows: readonly Row[]): void {
  rows.forEach((row, i) => {
    expect(Object.is(b.predictOne(row), a.predictOne(row)), `predictOne differs on row ${i}`).toBe(true);
    if (a.predictProbaOne && b.predictProbaOne) {
      expect(Object.is(b.predictProbaOne(row), a.predictProbaOne(row)), `predictProbaOne differs on row ${i}`).toBe(true);
    }
  });
}

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}: row ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

function expectTandemError(action: () => unknown, code: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(TandemError);
    expect((error as TandemError).code).toBe(code);
    return;
  }
  expect.fail(`expected ${code}, but nothing was thrown`);
}
