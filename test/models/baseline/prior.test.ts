import { describe, expect, it } from 'vitest';
import { dataset } from '../../../src/models/dataset.js';
import { Prior } from '../../../src/models/baseline/prior.js';
import { checkBatchModel } from '../check-model.js';
import { binarySet } from '../gbdt/data.js';

const binary = binarySet(500, 6);
const regression = dataset({
  featureNames: ['a', 'b'],
  columns: [Float64Array.from({ length: 400 }, (_, i) => i % 7), Float64Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? Number.NaN : i))],
  label: Float64Array.from({ length: 400 }, (_, i) => 10 + (i % 11)),
});

describe('prior', () => {
  it('answers the weighted training label mean, whatever the features', () => {
    const weighted = dataset({ featureNames: ['x'], columns: [Float64Array.of(1, 2, 3, 4)], label: Float64Array.of(0, 1, 1, 0), weight: Float64Array.of(1, 3, 1, 1) });
    const model = new Prior();
    model.fit(weighted);
    expect(model.predictProbaOne({ x: 100 })).toBe(4 / 6);
    expect(model.predictOne({})).toBe(1);
    const mean = new Prior({ task: 'regression' });
    mean.fit(regression);
    // 36 whole cycles of 10..20, then 10..13.
    expect(mean.predictOne({ a: 3 })).toBeCloseTo((36 * 11 * 15 + 10 + 11 + 12 + 13) / 400, 12);
  });

  it('rejects an empty or unlabelled dataset and an unknown task, naming them', () => {
    expect(() => new Prior().fit(dataset({ featureNames: ['x'], columns: [new Float64Array(0)], label: new Float64Array(0) }))).toThrow(/prior: fit needs a non-empty dataset with a label/);
    expect(() => new Prior({ task: 'ranking' as 'binary' })).toThrow(/task/);
  });
});

checkBatchModel('prior, binary', () => new Prior(), binary, { fromArtifact: Prior.fromArtifact });
checkBatchModel('prior, regression', () => new Prior({ task: 'regression' }), regression, { fromArtifact: Prior.fromArtifact });
