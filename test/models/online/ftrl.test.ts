import { describe, expect, it } from 'vitest';
import { TandemError } from '../../../src/errors.js';
import { decodeFloat64, decodeInt32, serializeArtifact } from '../../../src/models/artifact.js';
import { rocAuc } from '../../../src/models/metrics/roc-auc.js';
import type { Row } from '../../../src/models/model.js';
import { biasIndex, categoricalIndex, numericIndex } from '../../../src/models/online/feature-hasher.js';
import { ftrl, ftrlFromArtifact, type Ftrl } from '../../../src/models/online/ftrl.js';
import { SeededRandom } from '../../../src/models/shared/random.js';
import { checkOnlineModel } from '../check-model.js';

checkOnlineModel('FTRL-Proximal', () => ftrl({ bits: 12 }), { fromArtifact: ftrlFromArtifact });

/** z and n of every hashed coordinate, read from the artifact. */
function coordinates(model: Ftrl): Map<number, { z: number; n: number }> {
  const state = model.toArtifact().state as Record<string, string>;
  const indices = decodeInt32(state['indices']);
  const z = decodeFloat64(state['z']);
  const n = decodeFloat64(state['n']);
  return new Map(Array.from(indices, (index, k) => [index, { z: z[k] as number, n: n[k] as number }]));
}

describe('FTRL-Proximal', () => {
  it('follows Algorithm 1 of McMahan et al. 2013 exactly over a hand-checked three-step sequence', () => {
    const alpha = 0.1;
    const beta = 1;
    const l1 = 0.05;
    const l2 = 0.5;
    const bits = 16;
    const model = ftrl({ alpha, beta, l1, l2, bits });
    const mask = 2 ** bits - 1;
    const index = {
      bias: biasIndex(mask),
      x1: numericIndex('x1', mask),
      x2: numericIndex('x2', mask),
      red: categoricalIndex('color', 'red', mask),
    };
    expect(new Set(Object.values(index)).size).toBe(4);

    // The paper's per-coordinate state, updated by hand with its formulas.
    const z = { bias: 0, x1: 0, x2: 0, red: 0 };
    const n = { bias: 0, x1: 0, x2: 0, red: 0 };
    type Name = keyof typeof z;
    const weight = (i: Name): number =>
      Math.abs(z[i]) <= l1 ? 0 : -(z[i] - Math.sign(z[i]) * l1) / ((beta + Math.sqrt(n[i])) / alpha + l2);
    const step = (active: [Name, number][], y: number): void => {
      const w = active.map(([i]) => weight(i));
      let margin = 0;
      active.forEach(([, x], k) => (margin += (w[k] as number) * x));
      const p = 1 / (1 + Math.exp(-margin));
      active.forEach(([i, x], k) => {
        const g = (p - y) * x;
        const sigma = (Math.sqrt(n[i] + g * g) - Math.sqrt(n[i])) / alpha;
        z[i] += g - sigma * (w[k] as number);
        n[i] += g * g;
      });
    };

    model.learnOne({ x1: 2, color: 'red' }, 1);
    step([['bias', 1], ['x1', 2], ['red', 1]], 1);
    // Step 1 by hand: all weights 0, p = ½, g = −½·x, σ = √(g²)/α, z = g, n = g².
    expect(z).toEqual({ bias: -0.5, x1: -1, x2: 0, red: -0.5 });
    expect(n).toEqual({ bias: 0.25, x1: 1, x2: 0, red: 0.25 });
    expect(weight('x1')).toBe(0.95 / 20.5);

    model.learnOne({ x1: -1, x2: 0.5, ignored: null }, 0);
    step([['bias', 1], ['x1', -1], ['x2', 0.5]], 0);
    model.learnOne({ x1: 1.5, color: 'red', x2: 3, missing: Number.NaN }, 1);
    step([['bias', 1], ['x1', 1.5], ['red', 1], ['x2', 3]], 1);

    const stored = coordinates(model);
    expect(stored.size).toBe(4);
    for (const name of ['bias', 'x1', 'x2', 'red'] as const) {
      expect(stored.get(index[name])).toEqual({ z: z[name], n: n[name] });
    }
    expect(model.weightOf()).toBe(weight('bias'));
    expect(model.weightOf('x1')).toBe(weight('x1'));
    expect(model.weightOf('x2')).toBe(weight('x2'));
    expect(model.weightOf('color', 'red')).toBe(weight('red'));
    const margin = weight('bias') + 2 * weight('x1') + weight('red');
    expect(model.predictProbaOne({ x1: 2, color: 'red' })).toBe(1 / (1 + Math.exp(-margin)));
  });

  it('gives exact zero weights to features whose |z| stays within the L1 strength', () => {
    const model = ftrl({ l1: 1000 });
    for (let i = 0; i < 200; i++) model.learnOne({ x: i % 2 }, i % 2);
    expect(model.weightOf('x')).toBe(0);
    expect(model.predictProbaOne({ x: 1 })).toBe(0.5);
  });

  it('learns a logistic signal from numbers, strings and booleans to a high AUC', () => {
    const random = new SeededRandom(11);
    const model = ftrl();
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const amount = random.next() * 4 - 2;
      const country = ['fr', 'de', 'us'][random.int(3)] as string;
      const flagged = random.next() < 0.3;
      const logit = 1.5 * amount + (country === 'us' ? 1 : -0.5) + (flagged ? 2 : 0) - 1;
      const y = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      const row: Row = { amount, country, flagged };
      if (i >= 15_000) {
        scores.push(model.predictProbaOne(row));
        labels.push(y);
      }
      model.learnOne(row, y);
    }
    expect(rocAuc(scores, labels)).toBeGreaterThan(0.85);
    expect(model.weightOf('flagged', true)).toBeGreaterThan(model.weightOf('flagged', false));
    expect(model.weightOf('amount')).toBeGreaterThan(0);
  });

  it('learns from dense rows exactly as from the same rows as objects', () => {
    const names = ['a', 'b', 'c'];
    const dense = ftrl({ denseFeatures: names });
    const sparse = ftrl({ denseFeatures: names });
    const random = new SeededRandom(3);
    for (let i = 0; i < 500; i++) {
      const values = Float64Array.from(names, () => (random.next() < 0.1 ? Number.NaN : random.next() - 0.5));
      const y = (values[0] as number) > 0 ? 1 : 0;
      const row: Row = Object.fromEntries(names.map((name, j) => [name, values[j]]));
      expect(dense.predictProbaDense(values)).toBe(sparse.predictProbaOne(row));
      dense.learnDense(values, y);
      sparse.learnOne(row, y);
    }
    expect(serializeArtifact(dense.toArtifact())).toBe(serializeArtifact(sparse.toArtifact()));
    expect(dense.toArtifact().featureNames).toEqual(names);
  });

  it('rejects a dense row whose width differs from denseFeatures', () => {
    const model = ftrl({ denseFeatures: ['a', 'b'] });
    expect(() => model.learnDense(Float64Array.of(1), 1)).toThrow(/1 values but denseFeatures names 2/);
  });

  it('rejects a bad parameter naming it and the value given', () => {
    expect(() => ftrl({ alpha: -1 })).toThrow(/'alpha'.*-1/);
    expect(() => ftrl({ bits: 40 })).toThrow(TandemError);
    expect(() => ftrl({ l2: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_PARAMETER', message: expect.stringContaining("'l2'") }),
    );
    expect(() => ftrl({ alhpa: 1 } as never)).toThrow(/alhpa/);
  });

  it('rejects labels other than 0 and 1', () => {
    expect(() => ftrl().learnOne({ a: 1 }, 2)).toThrow(/label must be 0 or 1, got 2/);
  });

  it('refuses an artifact of another kind or with damaged state', () => {
    const good = ftrl().toArtifact();
    expect(() => ftrlFromArtifact({ ...good, kind: 'gbdt' })).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT' }));
    expect(() => ftrlFromArtifact({ ...good, state: { updates: 0, indices: 'i32:', z: 'f64:AAAAAAAAAAA=', n: 'f64:' } })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT' }),
    );
  });

  it('keeps its artifact small: only the buckets a feature touched are stored', () => {
    const model = ftrl({ bits: 20 });
    for (let i = 0; i < 100; i++) model.learnOne({ a: i / 100, b: 1 - i / 100 }, i % 2);
    expect(serializeArtifact(model.toArtifact()).length).toBeLessThan(1000);
  });
});
