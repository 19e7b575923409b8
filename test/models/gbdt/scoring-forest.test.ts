import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataset } from '../../../src/models/dataset.js';
import { gbdt } from '../../../src/models/gbdt/index.js';
import { readGbdtArtifact } from '../../../src/models/gbdt/artifact.js';
import { marginOf, scoringForestOf, type Forest } from '../../../src/models/gbdt/forest.js';
import { binarySet } from './data.js';

/** The plain walk over the trained trees, node by node: the reference the scoring layout must match bit for bit. */
function referenceMargin(forest: Forest, x: Float64Array): number {
  let margin = forest.baseScore;
  for (let t = 0; t < forest.starts.length; t++) {
    let k = forest.starts[t] as number;
    while ((forest.feature[k] as number) >= 0) {
      const v = x[forest.feature[k] as number] as number;
      const goLeft = Number.isNaN(v) ? forest.defaultLeft[k] === 1 : v <= (forest.threshold[k] as number);
      k = (goLeft ? forest.left[k] : forest.right[k]) as number;
    }
    margin += forest.value[k] as number;
  }
  return margin;
}

describe('the scoring layout of a GBDT forest', () => {
  it('scores every row exactly as the plain walk over the trees, missing values included', () => {
    for (const params of [
      { rounds: 30, maxDepth: 5, seed: 3 },
      { rounds: 20, growth: 'leafwise' as const, maxLeaves: 13, maxDepth: 12, seed: 5 },
    ]) {
      const model = gbdt(params);
      model.fit(binarySet(3_000, 7));
      const { state } = readGbdtArtifact(model.toArtifact());
      const scoring = scoringForestOf(state.forest);
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constant(Number.NaN), fc.integer({ min: 0, max: 5 })), { minLength: 4, maxLength: 4 }), (values) => {
          const x = Float64Array.from(values);
          expect(Object.is(marginOf(scoring, x), referenceMargin(state.forest, x))).toBe(true);
        }),
        { numRuns: 2_000 },
      );
    }
  });

  it('keeps every node once: as many nodes as the trees, one root per tree', () => {
    const model = gbdt({ rounds: 12, maxDepth: 4, seed: 1 });
    model.fit(binarySet(1_500, 2));
    const { state } = readGbdtArtifact(model.toArtifact());
    const scoring = scoringForestOf(state.forest);
    expect(scoring.split.length).toBe(state.forest.feature.length);
    expect(scoring.roots.length).toBe(state.forest.starts.length);
    const leaves = (links: Int32Array): number => links.filter((_, i) => i % 2 === 0 && links[i] === -1).length;
    expect(leaves(scoring.links)).toBe(state.forest.feature.filter((j) => j < 0).length);
  });

  it('answers the base score for a forest of stumps-only leaves', () => {
    const data = dataset({ featureNames: ['a'], columns: [Float64Array.of(1, 1, 1, 1)], label: Float64Array.of(0, 1, 0, 1) });
    const model = gbdt({ rounds: 3, seed: 1 });
    model.fit(data);
    const { state } = readGbdtArtifact(model.toArtifact());
    const x = Float64Array.of(1);
    expect(marginOf(scoringForestOf(state.forest), x)).toBe(referenceMargin(state.forest, x));
  });
});
