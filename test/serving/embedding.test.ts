/**
 * Embedding from the package alone: every import of Tandem below comes from 'tandem', whose
 * `exports` map is all a program can reach. A program reads its history, trains and registers
 * a model, runs what `tandem serve` runs (in process and over HTTP, with API keys), builds a
 * predictor over its own engine, and replays a period, and every path gives the same answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyStore,
  buildApp,
  loadProject,
  loadServedModel,
  loadServedModels,
  OnlineRuntime,
  PiiProtector,
  Predictor,
  readTable,
  replay,
  servedVersions,
  SqliteRegistry,
  StreamEngine,
  tableFromRows,
  tableToRows,
  trainModel,
  writeTable,
  type Prediction,
  type Project,
  type Table,
} from 'tandem';
import { generateOrders } from '../fixtures/orders.js';

const TYPES = { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' } as const;

let dir: string;
let project: Project;
let orders: Table;
let runtime: OnlineRuntime;
let at: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-embedding-'));
  project = await loadProject('test/replay/replay.config.ts');
  // Through a file and back, as a program reading its history would.
  await writeTable(tableFromRows(generateOrders(1_200), TYPES), join(dir, 'orders.csv'));
  orders = await readTable(join(dir, 'orders.csv'), { types: TYPES });
  const trained = await trainModel(project, 'fraud', { events: { orders } });
  // Where the runtime looks by default: SQLite in <dataDir>/registry.
  const registry = SqliteRegistry.open({ dir: join(dir, 'data', 'registry') });
  await registry.register({ model: 'fraud', kind: trained.kind, artifact: trained.artifact, metrics: trained.metrics, lineage: trained.lineage, aliases: ['champion'] });
  await registry.close();
  runtime = await OnlineRuntime.start(project, {
    dataDir: join(dir, 'data'),
    pii: new PiiProtector(undefined),
    serving: { reloadIntervalMs: false, jobs: false, monitorIntervalMs: false },
  });
  const rows = tableToRows(orders);
  expect((await runtime.ingest('orders', rows)).accepted).toBe(rows.length);
  await runtime.catchUp();
  at = Math.max(...rows.map((row) => row['ts'] as number)) + 1;
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Customers with history, and one never seen (the model's fallback answers it). */
const requests = (): Record<string, unknown>[] => [
  { customer: 'c1', amount: 250, country: 'DE', at },
  { customer: 'c7', amount: 12, country: 'NL', at },
  { customer: 'c42', amount: 900, country: 'US', at },
  { customer: 'never-seen', amount: 40, country: 'NL', at },
];
const answer = (p: Prediction) => ({ version: p.version, score: p.score, decision: p.decision, rule: p.rule, fallback: p.fallback?.reason });

describe('embedding Tandem from the package', () => {
  it('serves the registry champion in process, as tandem serve does', async () => {
    const answers = await Promise.all(requests().map((r) => runtime.predictor!.predict('fraud', r)));
    expect(answers.map((p) => p.version)).toEqual([1, 1, 1, null]);
    expect(answers[3]!.fallback?.reason).toBe('missing-features');
    for (const p of answers.slice(0, 3)) {
      expect(p.score).toBeGreaterThan(0);
      expect(p.score).toBeLessThan(1);
    }
  });

  it('takes labels in process and joins them to the logged predictions', async () => {
    const prediction = await runtime.predictor!.predict('fraud', { ...requests()[0]!, id: 'order-1' });
    expect(runtime.feedback('fraud', { id: 'order-1', label: true })).toEqual({ id: 'order-1', model: 'fraud', joined: true, learned: false, score: prediction.score, version: 1 });
    expect(runtime.feedback('fraud', { id: 'order-unknown', label: 0 }).joined).toBe(false);
    expect(() => runtime.feedback('fraud', { id: 'order-1', label: 'yes' })).toThrow(/field 'label' must be a number or boolean/);
    expect(() => runtime.feedback('nope', { id: 'order-1', label: 1 })).toThrow(/unknown model 'nope'/);
  });

  it('answers over HTTP what it answers in process, behind API keys', async () => {
    const keys = new ApiKeyStore(join(dir, 'api-keys.json'));
    const key = keys.create('checkout', ['predict']);
    const app = buildApp(runtime, { apiKeys: keys });
    try {
      const denied = await app.inject({ method: 'POST', url: '/v1/predict/fraud', payload: requests()[0]! });
      expect(denied.statusCode).toBe(401);
      const http = await app.inject({ method: 'POST', url: '/v1/predict/fraud', headers: { authorization: `Bearer ${key}` }, payload: requests() });
      expect(http.statusCode).toBe(200);
      const inProcess = await Promise.all(requests().map((r) => runtime.predictor!.predict('fraud', r)));
      expect((http.json() as Prediction[]).map(answer)).toEqual(inProcess.map(answer));
    } finally {
      await app.close();
    }
  });

  it('builds a predictor over its own engine and registry that answers the same', async () => {
    const engine = new StreamEngine(project);
    engine.applyBatch('orders', tableToRows(orders));
    const registry = SqliteRegistry.open({ dir: join(dir, 'data', 'registry') });
    try {
      const predictor = new Predictor(project, engine, await loadServedModels(project, registry));
      expect(predictor.models).toEqual(['fraud']);
      const own = await Promise.all(requests().map((r) => predictor.predict('fraud', r)));
      const served = await Promise.all(requests().map((r) => runtime.predictor!.predict('fraud', r)));
      expect(own.map(answer)).toEqual(served.map(answer));
    } finally {
      await registry.close();
    }
  });

  it('replays a week through the champion as serving loads it', async () => {
    const registry = SqliteRegistry.open({ dir: join(dir, 'data', 'registry') });
    try {
      const definition = project.models.get('fraud')!;
      const versions = await servedVersions(registry, definition);
      expect(versions).toEqual({ champion: 1, previous: undefined, canary: undefined, shadow: undefined });
      const served = await loadServedModel(registry, definition, versions!);
      const report = await replay(project, { model: 'fraud', versions: [{ label: 'champion', served }], events: { orders }, from: Date.UTC(2026, 0, 20), to: Date.UTC(2026, 0, 27) });
      expect(report.events.predicted).toBeGreaterThan(100);
      expect(report.versions[0]!.name).toBe('fraud@1');
      expect(report.versions[0]!.predictions).toBe(report.events.predicted);
    } finally {
      await registry.close();
    }
  });
});
