import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PredictionLog, predictionLogFiles } from '../../src/serving/prediction-log.js';

const prediction = (i: number) => ({
  prediction: { id: `p${i}`, model: 'fraud', version: 1, score: i / 100, decision: 'allow', rule: null, reasons: [] },
  features: { amount: i, country: 'NL' },
  at: 1_000 + i,
});

describe('the prediction log on disk', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-prediction-log-'));
    path = join(dir, 'serving', 'predictions.ndjson');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes one audit line per prediction: id, version, decision, and the hash of the features', async () => {
    const log = new PredictionLog({ path });
    log.record(prediction(1));
    await log.close();
    const line = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(line).toMatchObject({ type: 'prediction', id: 'p1', model: 'fraud', version: 1, decision: 'allow', features: { amount: 1, country: 'NL' } });
    expect(line['featuresSha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes each audit line as the JSON of its record, whatever the values (property)', async () => {
    const text = fc.string({ unit: 'binary' });
    const number = fc.oneof(fc.double(), fc.integer());
    const entry = fc.record({
      prediction: fc.record(
        {
          id: text,
          model: text,
          version: fc.option(fc.nat(), { nil: null }),
          score: number,
          decision: text,
          rule: fc.option(text, { nil: null }),
          reasons: fc.array(text, { maxLength: 3 }),
          fallback: fc.record({ kind: fc.constantFrom('previous-version', 'heuristic', 'default'), name: text, reason: fc.constantFrom('timeout', 'overload', 'missing-features') }),
          variant: fc.constant('canary'),
        },
        { requiredKeys: ['id', 'model', 'version', 'score', 'decision', 'rule', 'reasons'] },
      ),
      features: fc.dictionary(text, fc.oneof(number, text, fc.constant(null), fc.boolean())),
      at: number,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 5 }), async (entries) => {
        await rm(path, { force: true });
        const log = new PredictionLog({ path });
        for (const e of entries) log.record(e as Parameters<PredictionLog['record']>[0]);
        await log.close();
        const expected = entries.map((e) => {
          const p = e.prediction;
          const features = JSON.stringify(e.features);
          const featuresSha256 = createHash('sha256').update(features).digest('hex');
          const record = { type: 'prediction', id: p.id, model: p.model, version: p.version, variant: p.variant ?? null, at: e.at, score: p.score, decision: p.decision, rule: p.rule, fallback: p.fallback ?? null, featuresSha256 };
          return `${JSON.stringify(record).slice(0, -1)},"features":${features}}\n`;
        });
        expect(await readFile(path, 'utf8')).toBe(expected.join(''));
      }),
      { numRuns: 60 },
    );
  });

  it('rotates past rotateBytes, keeps the newest keepFiles rotated files, and still finds labels in all that is kept', async () => {
    const log = new PredictionLog({ path, rotateBytes: 2_000, keepFiles: 3 });
    for (let i = 0; i < 200; i++) {
      log.record(prediction(i));
      if (i % 10 === 0) log.recordFeedback({ id: `p${i}`, model: 'fraud', label: i % 20 === 0 ? 1 : 0, ts: i, joined: true, learned: false });
      await log.flush();
    }
    const files = await predictionLogFiles(path);
    // Three rotated files with consecutive sequence numbers (older ones deleted), then the current one.
    const names = files.map((f) => basename(f));
    expect(names).toHaveLength(4);
    expect(names[3]).toBe('predictions.ndjson');
    const sequence = names.slice(0, 3).map((name) => Number(/^predictions\.(\d{6})\.ndjson$/.exec(name)![1]));
    expect(sequence[0]).toBeGreaterThan(3);
    expect(sequence).toEqual([sequence[0], sequence[0]! + 1, sequence[0]! + 2]);
    for (const file of files) expect((await stat(file)).size).toBeLessThanOrEqual(2_000);
    // The kept files hold the newest predictions, in order, with no gap.
    const ids = (await Promise.all(files.map((f) => readFile(f, 'utf8'))))
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{"type":"prediction"'))
      .map((l) => Number((JSON.parse(l) as { id: string }).id.slice(1)));
    expect(ids.at(-1)).toBe(199);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => 200 - ids.length + k));
    const labels = await log.feedbackLabels('fraud');
    expect([...labels.keys()].every((id) => Number(id.slice(1)) >= ids[0]!)).toBe(true);
    expect(labels.get('p190')).toBe(0);
    expect(labels.get('p180')).toBe(1);
    await log.close();
  });

  it('goes on numbering after a restart, counting what the current file already holds', async () => {
    const first = new PredictionLog({ path, rotateBytes: 1_500, keepFiles: 100 });
    for (let i = 0; i < 30; i++) {
      first.record(prediction(i));
      await first.flush();
    }
    await first.close();
    const before = await predictionLogFiles(path);
    const second = new PredictionLog({ path, rotateBytes: 1_500, keepFiles: 100 });
    for (let i = 30; i < 60; i++) {
      second.record(prediction(i));
      await second.flush();
    }
    await second.close();
    const after = await predictionLogFiles(path);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.slice(0, before.length - 1)).toEqual(before.slice(0, -1));
    for (const file of after) expect((await stat(file)).size).toBeLessThanOrEqual(1_500);
  });
});
