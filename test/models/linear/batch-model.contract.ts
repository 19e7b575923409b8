/**
 * Checks for batch models beyond test/models/check-model.ts's batch contract (which every model
 * here also runs): damaged artifacts are refused as such, and batch columns are matched by name
 * whatever their order. Candidates to move into that shared suite.
 */
import { expect, it } from 'vitest';
import type { ModelArtifact } from '../../../src/models/artifact.js';
import { dataset, rowOf, type Dataset } from '../../../src/models/dataset.js';
import type { BatchModel } from '../../../src/models/model.js';

export interface BatchModelCase {
  readonly make: () => BatchModel;
  readonly load: (model: ModelArtifact) => BatchModel;
  readonly train: Dataset;
  readonly test: Dataset;
}

export function runBatchModelExtras(c: BatchModelCase): void {
  it('refuses a damaged artifact: unknown params, missing state, another kind', () => {
    const model = c.make();
    model.fit(c.train);
    const good = model.toArtifact();
    const invalid = expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT' });
    expect(() => c.load({ ...good, params: { ...good.params, bogus: 1 } })).toThrow(invalid);
    expect(() => c.load({ ...good, state: {} })).toThrow(invalid);
    expect(() => c.load({ ...good, kind: 'something-else' })).toThrow(invalid);
  });

  it('matches batch columns by name in any order, an absent one counting as missing', () => {
    const model = c.make();
    model.fit(c.train);
    const names = [...c.test.featureNames];
    const dropped = names.pop() as string;
    const reordered = dataset({
      featureNames: [...names].reverse(),
      columns: [...names].reverse().map((name) => c.test.columns[c.test.featureNames.indexOf(name)] as Float64Array),
    });
    const batch = model.predict(reordered);
    for (let i = 0; i < c.test.rows; i++) {
      const row: Record<string, number> = rowOf(c.test, i);
      delete row[dropped];
      expect(Object.is(model.predictOne(row), batch[i])).toBe(true);
    }
  });

  it('treats ±Infinity at serving time as missing', () => {
    const model = c.make();
    model.fit(c.train);
    const [first] = c.train.featureNames as [string];
    const row: Record<string, number> = rowOf(c.test, 0);
    const missing = { ...row, [first]: Number.NaN };
    expect(model.predictOne({ ...row, [first]: Infinity })).toBe(model.predictOne(missing));
    expect(model.predictOne({ ...row, [first]: -Infinity })).toBe(model.predictOne(missing));
  });
}
