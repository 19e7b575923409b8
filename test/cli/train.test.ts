import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/models/artifact.js';
import { SqliteRegistry } from '../../src/registry/sqlite/sqlite-registry.js';
import { captureCli } from './capture-cli.js';
import { generateOrders, ordersCsv } from '../fixtures/orders.js';

const CONFIG = 'test/fixtures/orders.config.ts';
const dir = mkdtempSync(join(tmpdir(), 'tandem-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const events = join(dir, 'orders.csv');
writeFileSync(events, ordersCsv(generateOrders(1_200)));
const dataDir = join(dir, 'state');

const cli = captureCli();
const run = cli.run;


describe('tandem train and tandem models', () => {
  it('trains, evaluates on the latest rows, and registers version 1 as champion', async () => {
    expect(await run('train', '--config', CONFIG, '--model', 'baseline', '--events', events, '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/baseline@1 \(prior\): trained on 900 rows, tested on 300 later rows/);
    expect(cli.stdout).toMatch(/rocAuc\s+0\.5000/);
    expect(cli.stdout).toMatch(/registered\s+baseline@1 \(champion\)/);
  });

  it('registers later versions without moving the champion unless asked', async () => {
    expect(await run('train', '-c', CONFIG, '-m', 'baseline', '-e', events, '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/registered\s+baseline@2 in/);
    cli.clear();
    expect(await run('models', '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/^baseline@1 \[champion\] {2}prior .* rocAuc 0\.5000/m);
    expect(cli.stdout).toMatch(/^baseline@2 {2}prior/m);
    cli.clear();
    expect(await run('models', 'alias', 'baseline', 'champion', '2', '--data-dir', dataDir)).toBe(0);
    expect(await run('models', 'list', 'baseline', '--json', '--data-dir', dataDir)).toBe(0);
    const listed = JSON.parse(cli.stdout.split('\n')[1]!) as { version: number; aliases: string[] }[];
    expect(listed.map((v) => v.aliases)).toEqual([[], ['champion']]);
  });

  it('reproduces a version byte for byte, and says so when its data changed', async () => {
    expect(await run('train', '--reproduce', 'baseline@1', '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/reproduced baseline@1: byte-identical artifact, sha256 [0-9a-f]{64}/);
    // A boosted model with row subsampling rebuilds to the same bytes too.
    expect(await run('train', '-c', CONFIG, '-m', 'trees', '-e', events, '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/trees@1 \(gbdt\): .*\n(.*\n)*\s+rocAuc\s+0\.9/);
    expect(await run('train', '--reproduce', 'trees@1', '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/reproduced trees@1: byte-identical artifact/);
    // Edited definitions are refused, naming the model.
    expect(await run('train', '--reproduce', 'baseline@1', '--config', 'test/fixtures/orders-edited.config.ts', '--data-dir', dataDir)).toBe(2);
    expect(cli.stderr).toMatch(/TANDEM_NOT_REPRODUCIBLE.*the definitions of model 'baseline' in .*orders-edited\.config\.ts changed since version 1/);
    writeFileSync(events, ordersCsv(generateOrders(1_200, 99)));
    expect(await run('train', '--reproduce', 'baseline@1', '--data-dir', dataDir)).toBe(2);
    expect(cli.stderr).toMatch(/TANDEM_NOT_REPRODUCIBLE.*baseline@1 was trained on '.*orders\.csv' with SHA-256 [0-9a-f]{64}; the file now has/);
  });

  it('says which versions trained a model whose bytes no longer reproduce', async () => {
    // trees@1 as a release 0.0.1 on another Node might have written it: same inputs and
    // definitions, other bytes.
    const registry = SqliteRegistry.open({ dir: join(dataDir, 'registry') });
    let version: number;
    try {
      const saved = (await registry.get('trees', 1))!;
      const inputs = saved.lineage.inputs.map((input) => ({ ...input, sha256: sha256(readFileSync(input.path)) }));
      const original = await registry.artifact('trees', 1);
      const artifact = original.replace('"format"', '"format" ');
      expect(artifact).not.toBe(original);
      ({ version } = await registry.register({
        model: 'trees',
        kind: saved.kind,
        artifact,
        metrics: saved.metrics,
        lineage: { ...saved.lineage, inputs, packageVersion: '0.0.1', nodeVersion: 'v18.0.0' },
        aliases: [],
      }));
    } finally {
      await registry.close();
    }
    expect(await run('train', '--reproduce', `trees@${version}`, '--data-dir', dataDir)).toBe(2);
    expect(cli.stderr).toMatch(new RegExp(`TANDEM_NOT_REPRODUCIBLE.*retraining trees@${version} gave artifact [0-9a-f]{64}, not [0-9a-f]{64}; it was trained by tandem 0\\.0\\.1 on Node v18\\.0\\.0 and this is tandem \\d+\\.\\d+\\.\\d+ on Node v\\d+`));
  });

  it('prints the HTTP API for the champions it finds (tandem openapi), and names the models left out', async () => {
    expect(await run('openapi', '--config', CONFIG, '--data-dir', dataDir)).toBe(0);
    const doc = JSON.parse(cli.stdout) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { required?: string[] }> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/v1/predict/')).sort()).toEqual(['/v1/predict/baseline', '/v1/predict/trees']);
    expect(doc.components.schemas['PredictRequest.trees']!.required).toContain('customer');
    expect(cli.stderr).toBe('no champion for logistic, online, outliers: left out of the document until one is trained\n');
    const out = join(dir, 'openapi.json');
    expect(await run('openapi', '--config', CONFIG, '--data-dir', dataDir, '--out', out)).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(doc);
  });

  it('names an unknown model and lists the algorithms', async () => {
    expect(await run('train', '-c', CONFIG, '-m', 'nope', '-e', events, '--data-dir', dataDir)).toBe(2);
    expect(cli.stderr).toContain("unknown model 'nope' (the project defines: baseline, logistic, trees, online, outliers)");
    expect(await run('models', 'algorithms')).toBe(0);
    expect(cli.stdout).toMatch(/^prior\s+batch\s+binary/m);
  });
});
