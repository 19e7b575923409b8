import { describe, expect, it } from 'vitest';
import type { Row } from '../../../src/models/model.js';
import { onlineLinearRegression, onlineLinearRegressionFromArtifact } from '../../../src/models/online/linear-regression.js';
import { SeededRandom } from '../../../src/models/shared/random.js';
import { checkOnlineModel, mixedStream } from '../check-model.js';

const stream = mixedStream();
checkOnlineModel('AdaGrad linear regression', () => onlineLinearRegression({ bits: 12 }), {
  fromArtifact: onlineLinearRegressionFromArtifact,
  rows: stream.rows,
  // A real-valued target, so the contract runs on regression data.
  labels: stream.rows.map((row, i) => 2 * (typeof row['a'] === 'number' ? row['a'] : 0) + (stream.labels[i] as number)),
});

describe('AdaGrad linear regression', () => {
  it('gets within 0.01 of a noise-free linear target on features of very different scales', () => {
    const random = new SeededRandom(5);
    const model = onlineLinearRegression({ learningRate: 0.5 });
    for (let i = 0; i < 30_000; i++) {
      const small = random.next();
      const large = 1000 * (random.next() - 0.5);
      model.learnOne({ small, large }, 3 * small - 0.002 * large + 1);
    }
    for (const row of [{ small: 0.2, large: -300 }, { small: 0.9, large: 400 }]) {
      expect(Math.abs(model.predictOne(row) - (3 * row.small - 0.002 * row.large + 1))).toBeLessThan(0.01);
    }
  });

  it('learns one offset per category and skips missing values', () => {
    const random = new SeededRandom(6);
    const model = onlineLinearRegression({ learningRate: 0.5 });
    const offsets: Record<string, number> = { a: 10, b: -5, c: 0 };
    for (let i = 0; i < 20_000; i++) {
      const group = ['a', 'b', 'c'][random.int(3)] as string;
      const row: Row = { group, noise: random.next() < 0.5 ? null : Number.NaN };
      model.learnOne(row, offsets[group] as number);
    }
    expect(model.predictOne({ group: 'a' })).toBeCloseTo(10, 1);
    expect(model.predictOne({ group: 'b' })).toBeCloseTo(-5, 1);
    expect(model.predictOne({ group: 'c', noise: null })).toBeCloseTo(0, 1);
  });

  it('shrinks weights towards zero with an L2 penalty', () => {
    const fit = (l2: number): number => {
      const model = onlineLinearRegression({ l2 });
      for (let i = 0; i < 5000; i++) model.learnOne({ x: (i % 10) / 10 }, (i % 10) / 5);
      return model.predictOne({ x: 1 }) - model.predictOne({});
    };
    expect(fit(0.5)).toBeLessThan(fit(0));
  });

  it('rejects bad parameters and non-finite targets, naming them', () => {
    expect(() => onlineLinearRegression({ learningRate: 0 })).toThrow(
      expect.objectContaining({ code: 'TANDEM_INVALID_PARAMETER', message: expect.stringMatching(/'learningRate'.*0/) }),
    );
    expect(() => onlineLinearRegression().learnOne({ x: 1 }, Number.NaN)).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_DATASET' }));
  });
});
