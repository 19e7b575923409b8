import { describe, expect, it } from 'vitest';
import { serializeArtifact } from '../../../src/models/artifact.js';
import { gbdt } from '../../../src/models/gbdt/index.js';
import { binarySet } from './data.js';

// Large enough for workers to start (50,000 rows) and for nodes to be cut into several blocks.
const data = binarySet(70_000, 4);

describe('gbdt worker threads', () => {
  it('gives the same artifact with one thread and with two, in both growth modes', () => {
    for (const growth of ['depthwise', 'leafwise'] as const) {
      const params = { rounds: 6, maxDepth: 6, growth, maxLeaves: 24, subsample: 0.9, colsampleByTree: 0.75, seed: 3 } as const;
      const one = gbdt({ ...params, threads: 1 });
      const oneReport = one.fit(data);
      const two = gbdt({ ...params, threads: 2 });
      const twoReport = two.fit(data);
      expect(oneReport.threads).toBe(1);
      expect(twoReport.threads).toBe(2);
      expect(serializeArtifact(two.toArtifact())).toBe(serializeArtifact(one.toArtifact()));
      expect(two.toArtifact().params).not.toHaveProperty('threads');
    }
  });

  it('gives the same artifact with one thread and with two when quantizing gradients, with known and measured steps', () => {
    const regression = { ...data, label: Float64Array.from(data.columns[0] as Float64Array, (v, i) => 10 * v + (i % 7)) };
    for (const [objective, set] of [['logloss', data], ['squared-error', regression]] as const) {
      const params = { objective, rounds: 6, maxDepth: 6, subsample: 0.9, colsampleByTree: 0.75, seed: 5, quantizeGradients: true } as const;
      const one = gbdt({ ...params, threads: 1 });
      one.fit(set);
      const two = gbdt({ ...params, threads: 2 });
      expect(two.fit(set).threads).toBe(2);
      expect(serializeArtifact(two.toArtifact())).toBe(serializeArtifact(one.toArtifact()));
    }
  });

  it('reuses its workers for a second fit in the same process, with the same result', () => {
    const params = { rounds: 4, threads: 2, seed: 8 } as const;
    const first = gbdt(params);
    first.fit(data);
    const second = gbdt(params);
    expect(second.fit(data).threads).toBe(2);
    expect(serializeArtifact(second.toArtifact())).toBe(serializeArtifact(first.toArtifact()));
  });
});
