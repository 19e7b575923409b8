import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src/models/metrics/roc-auc.js';
import type { Row } from '../../../src/models/model.js';
import { hoeffdingTree, hoeffdingTreeFromArtifact } from '../../../src/models/online/hoeffding-tree.js';
import { SeededRandom } from '../../../src/models/shared/random.js';
import { checkOnlineModel } from '../check-model.js';

checkOnlineModel('Hoeffding tree', () => hoeffdingTree({ gracePeriod: 50, delta: 1e-3 }), { fromArtifact: hoeffdingTreeFromArtifact });
checkOnlineModel('Hoeffding tree with naive Bayes leaves', () => hoeffdingTree({ gracePeriod: 50, leafPrediction: 'naiveBayes' }), {
  fromArtifact: hoeffdingTreeFromArtifact,
});

/** A planted rule mixing a numeric threshold, a category and a second number; 5 % of labels flipped. */
function plantedRule(rows: number, seed: number): { rows: Row[]; labels: number[] } {
  const random = new SeededRandom(seed);
  const out: Row[] = [];
  const labels: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = random.next();
    const b = random.next();
    const color = ['red', 'green', 'blue'][random.int(3)] as string;
    const rule = a > 0.4 ? color !== 'blue' : b > 0.5;
    labels.push((random.next() < 0.05 ? !rule : rule) ? 1 : 0);
    out.push({ a, b, color, noise: random.next(), sometimes: random.next() < 0.2 ? null : random.next() });
  }
  return { rows: out, labels };
}

describe('Hoeffding tree', () => {
  it('learns a planted rule far better than chance', () => {
    const train = plantedRule(20_000, 1);
    const test = plantedRule(2000, 2);
    const model = hoeffdingTree();
    model.learnMany(train.rows, train.labels);
    const predictions = test.rows.map((row) => model.predictOne(row));
    const accuracy = predictions.filter((p, i) => p === test.labels[i]).length / test.rows.length;
    const majority = Math.max(...[0, 1].map((c) => test.labels.filter((y) => y === c).length)) / test.rows.length;
    expect(majority).toBeLessThan(0.65);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(rocAuc(test.rows.map((row) => model.predictProbaOne(row)), test.labels)).toBeGreaterThan(0.9);
    expect(model.depth).toBeGreaterThanOrEqual(2);
  });

  it('splits only once a leaf has seen the grace period, not a row earlier', () => {
    const model = hoeffdingTree({ gracePeriod: 100 });
    const random = new SeededRandom(4);
    for (let i = 0; i < 100; i++) {
      expect(model.leafCount).toBe(1);
      const a = random.next();
      model.learnOne({ a, b: random.next() }, a > 0.5 ? 1 : 0);
    }
    expect(model.leafCount).toBe(2);
    expect(model.depth).toBe(1);
  });

  it('waits a further grace period before trying a leaf again', () => {
    // Pure noise: no attribute beats the Hoeffding bound, so attempts happen and fail.
    const model = hoeffdingTree({ gracePeriod: 100, tau: 0 });
    const random = new SeededRandom(8);
    for (let i = 0; i < 1000; i++) model.learnOne({ a: random.next() }, random.int(2));
    expect(model.leafCount).toBe(1);
    const root = (model.toArtifact().state as { root: { seen: number; lastAttempt: number } }).root;
    expect(root).toMatchObject({ seen: 1000, lastAttempt: 1000 });
  });

  it('splits multiway on a category and grows a branch for a category first seen later', () => {
    const model = hoeffdingTree({ gracePeriod: 50 });
    const colors = ['red', 'green', 'blue'];
    for (let i = 0; i < 300; i++) model.learnOne({ color: colors[i % 3] as string }, i % 3 === 0 ? 1 : 0);
    expect(model.leafCount).toBe(3);
    expect(model.predictOne({ color: 'red' })).toBe(1);
    expect(model.predictOne({ color: 'green' })).toBe(0);
    // Unseen at prediction: the split node's own class shares answer (1/3 positive).
    expect(model.predictProbaOne({ color: 'purple' })).toBeCloseTo(1 / 3, 10);
    model.learnOne({ color: 'purple' }, 1);
    expect(model.leafCount).toBe(4);
    expect(model.predictProbaOne({ color: 'purple' })).toBe(1);
  });

  it('sends a row missing the split attribute down the heavier branch', () => {
    const model = hoeffdingTree({ gracePeriod: 100, leafPrediction: 'majority' });
    // Three quarters of the rows have a > 0.25 and label 1.
    for (let i = 0; i < 100; i++) model.learnOne({ a: i / 100 }, i / 100 > 0.25 ? 1 : 0);
    expect(model.leafCount).toBe(2);
    expect(model.predictOne({})).toBe(1);
    expect(model.predictOne({ a: null })).toBe(1);
    expect(model.predictOne({ a: 0.01 })).toBe(0);
  });

  it('rejects a bad parameter naming it and the value given', () => {
    expect(() => hoeffdingTree({ delta: 2 })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_PARAMETER', message: expect.stringMatching(/'delta'.*2/) }),
    );
    expect(() => hoeffdingTree({ leafPrediction: 'bayes' as never })).toThrow(/'leafPrediction'.*'bayes'/);
    expect(() => hoeffdingTree({ gracePeriod: 0.5 })).toThrow(/'gracePeriod'/);
  });
});
