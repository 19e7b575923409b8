import { describe, expect, it } from 'vitest';
import { serializeArtifact } from '../../../src/models/artifact.js';
import { rocAuc } from '../../../src/models/metrics/roc-auc.js';
import type { Row } from '../../../src/models/model.js';
import { halfSpaceTrees, halfSpaceTreesFromArtifact } from '../../../src/models/online/half-space-trees.js';
import { SeededRandom } from '../../../src/models/shared/random.js';
import { checkOnlineModel, mixedStream } from '../check-model.js';

const stream = mixedStream();
checkOnlineModel('Half-Space Trees', (seed) => halfSpaceTrees({ seed, windowSize: 50, height: 6 }), {
  fromArtifact: halfSpaceTreesFromArtifact,
  rows: stream.rows,
  labels: stream.labels,
  // The trees' features are fixed at the first row (documented), so a later one changes nothing.
  learnsEmergingFeatures: false,
});

/** Normal rows cluster around (0.3, 0.3, 0.3) (sd 0.05); 2 % are planted anomalies, uniform over [0, 1]³. */
function plantedAnomalies(rows: number, seed: number, scale = 1): { rows: Row[]; labels: number[] } {
  const random = new SeededRandom(seed);
  const out: Row[] = [];
  const labels: number[] = [];
  const normal = (): number => 0.3 + 0.05 * Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  for (let i = 0; i < rows; i++) {
    const anomaly = random.next() < 0.02;
    const value = (): number => scale * (anomaly ? random.next() : normal());
    out.push({ x: value(), y: value(), z: value() });
    labels.push(anomaly ? 1 : 0);
  }
  return { rows: out, labels };
}

describe('Half-Space Trees', () => {
  it('scores planted anomalies in a stream above normal rows (AUC > 0.9)', () => {
    const { rows, labels } = plantedAnomalies(5000, 1);
    const model = halfSpaceTrees({ seed: 3 });
    const scores: number[] = [];
    const scored: number[] = [];
    rows.forEach((row, i) => {
      // Prequential: score, then learn; the first window has no reference mass yet.
      if (i >= 250) {
        scores.push(model.predictOne(row));
        scored.push(labels[i] as number);
      }
      model.learnOne(row);
    });
    expect(rocAuc(scores, scored)).toBeGreaterThan(0.9);
  });

  it('scores 0 until the first window is complete, then within [0, 1]', () => {
    const model = halfSpaceTrees({ windowSize: 10 });
    for (let i = 0; i < 9; i++) model.learnOne({ x: 0.5 });
    expect(model.predictOne({ x: 0.9 })).toBe(0);
    model.learnOne({ x: 0.5 });
    const typical = model.predictOne({ x: 0.5 });
    const odd = model.predictOne({ x: 0.01 });
    expect(typical).toBeGreaterThanOrEqual(0);
    expect(odd).toBeLessThanOrEqual(1);
    expect(odd).toBeGreaterThan(typical);
  });

  it('rescales features by their limits, scoring exactly as on data already in [0, 1]', () => {
    const unit = plantedAnomalies(1000, 2);
    const wide = plantedAnomalies(1000, 2, 100);
    const a = halfSpaceTrees({ seed: 9 });
    const b = halfSpaceTrees({ seed: 9, limits: { x: [0, 100], y: [0, 100], z: [0, 100] } });
    a.learnMany(unit.rows, unit.labels);
    b.learnMany(wide.rows, wide.labels);
    wide.rows.forEach((row, i) => expect(b.predictOne(row)).toBeCloseTo(a.predictOne(unit.rows[i] as Row), 12));
  });

  it('draws different trees for different seeds and the same trees for the same seed', () => {
    const { rows } = plantedAnomalies(300, 3);
    const artifactFor = (seed: number): string => {
      const model = halfSpaceTrees({ seed });
      for (const row of rows) model.learnOne(row);
      return serializeArtifact(model.toArtifact());
    };
    expect(artifactFor(1)).toBe(artifactFor(1));
    expect(artifactFor(1)).not.toBe(artifactFor(2));
  });

  it('fixes its features at the first row and ignores features first seen later', () => {
    const model = halfSpaceTrees({ limits: { w: [0, 10] } });
    model.learnOne({ x: 0.5, label: 'a', y: Number.NaN });
    model.learnOne({ x: 0.5, later: 0.1 });
    expect(model.features).toEqual(['w', 'x', 'y']);
    expect(model.toArtifact().featureNames).toEqual(['w', 'x', 'y']);
  });

  it('treats a feature named like an object property as an ordinary feature', () => {
    const model = halfSpaceTrees({ windowSize: 5 });
    for (let i = 0; i < 10; i++) model.learnOne({ constructor: 0.5, toString: 0.5 });
    expect(model.features).toEqual(['constructor', 'toString']);
    expect(model.predictOne({ constructor: 0.99, toString: 0.01 })).toBeGreaterThan(model.predictOne({ constructor: 0.5, toString: 0.5 }));
  });

  it('rejects bad parameters naming them and the value given', () => {
    expect(() => halfSpaceTrees({ height: 0 })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_PARAMETER', message: expect.stringMatching(/'height'.*0/) }),
    );
    expect(() => halfSpaceTrees({ limits: { x: [1, 0] } })).toThrow(/'limits'/);
  });
});
