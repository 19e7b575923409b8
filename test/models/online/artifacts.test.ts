/**
 * Golden artifacts: each online model, trained on the same small stream, must serialize to the
 * bytes stored in test/models/fixtures/online/, and load back from them. A change here means saved
 * models in the wild would load differently: bump the artifact format instead of editing a fixture.
 * Regenerate deliberately with UPDATE_ONLINE_FIXTURES=1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArtifact, serializeArtifact } from '../../../src/models/artifact.js';
import type { OnlineModel } from '../../../src/models/model.js';
import { ftrl } from '../../../src/models/online/ftrl.js';
import { halfSpaceTrees } from '../../../src/models/online/half-space-trees.js';
import { hoeffdingTree } from '../../../src/models/online/hoeffding-tree.js';
import { onlineLinearRegression } from '../../../src/models/online/linear-regression.js';
import { onlineModelFromArtifact } from '../../../src/models/online/load.js';
import { standardScalerFromArtifact, streamingStandardScaler } from '../../../src/models/online/standard-scaler.js';
import { mixedStream } from '../check-model.js';

const fixture = (name: string): URL => new URL(`../fixtures/online/${name}.json`, import.meta.url);
const { rows, labels } = mixedStream(300, 11);

const models: Record<string, () => OnlineModel> = {
  ftrl: () => ftrl({ bits: 10, l1: 0.01 }),
  'online-linear-regression': () => onlineLinearRegression({ bits: 10 }),
  'hoeffding-tree': () => hoeffdingTree({ gracePeriod: 40, delta: 0.01 }),
  'half-space-trees': () => halfSpaceTrees({ nTrees: 2, height: 3, windowSize: 50, seed: 5 }),
};

function matchesFixture(name: string, text: string): void {
  if (process.env['UPDATE_ONLINE_FIXTURES'] === '1') writeFileSync(fixture(name), `${text}\n`);
  expect(text).toBe(readFileSync(fixture(name), 'utf8').trimEnd());
}

describe('online model artifacts', () => {
  for (const [kind, create] of Object.entries(models)) {
    it(`keeps the ${kind} artifact byte-stable and loadable by kind`, () => {
      const model = create();
      model.learnMany(rows, labels);
      const text = serializeArtifact(model.toArtifact());
      matchesFixture(kind, text);
      const loaded = onlineModelFromArtifact(parseArtifact(text));
      expect(loaded.kind).toBe(kind);
      for (const row of rows) expect(loaded.predictOne(row)).toBe(model.predictOne(row));
    });
  }

  it('keeps the standard scaler artifact byte-stable', () => {
    const scaler = streamingStandardScaler();
    for (const row of rows) scaler.learnOne(row);
    const text = serializeArtifact(scaler.toArtifact());
    matchesFixture('standard-scaler', text);
    expect(serializeArtifact(standardScalerFromArtifact(parseArtifact(text)).toArtifact())).toBe(text);
  });

  it('refuses an artifact of a kind no online model has', () => {
    const other = { ...ftrl().toArtifact(), kind: 'gbdt' };
    expect(() => onlineModelFromArtifact(other)).toThrow(expect.objectContaining({ code: 'TANDEM_INVALID_ARTIFACT', message: expect.stringContaining("'gbdt'") }));
  });
});
