import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openRegistry } from '../../src/registry/open-registry.js';
import { loadProject } from '../../src/config/load-project.js';
import { PiiProtector } from '../../src/ingest/index.js';
import { buildApp } from '../../src/server/app.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import { LoadedModel } from '../../src/training/bundle.js';
import type { Prediction } from '../../src/serving/types.js';
import { generateOrders, ordersCsv } from '../fixtures/orders.js';

const CONFIG = 'test/fixtures/orders.config.ts';
const dir = mkdtempSync(join(tmpdir(), 'tandem-serve-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = join(dir, 'state');

async function train(orders: ReturnType<typeof generateOrders>, name: string, config = CONFIG, model = 'baseline', state = dataDir): Promise<void> {
  const events = join(dir, name);
  writeFileSync(events, ordersCsv(orders));
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const quietErr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['node', 'tandem', 'train', '-c', config, '-m', model, '-e', events, '--data-dir', state])).toBe(0);
  } finally {
    quiet.mockRestore();
    quietErr.mockRestore();
  }
}

async function registryModel(version: number, model = 'baseline', state = dataDir): Promise<LoadedModel> {
  const registry = await openRegistry(state);
  try {
    return LoadedModel.fromText(await registry.artifact(model, version));
  } finally {
    await registry.close();
  }
}

async function registryScore(version: number): Promise<number> {
  const registry = await openRegistry(dataDir);
  try {
    return LoadedModel.fromText(await registry.artifact('baseline', version)).score({});
  } finally {
    await registry.close();
  }
}

describe('train with the CLI, then serve', () => {
  it('scores live requests with the registered champion and reloads when the champion moves', async () => {
    const orders = generateOrders(1_200);
    await train(orders, 'orders.csv');
    await train(generateOrders(1_200, 7), 'orders-7.csv');

    const runtime = await OnlineRuntime.start(await loadProject(CONFIG), { dataDir, pii: new PiiProtector(undefined), serving: { reloadIntervalMs: false } });
    const app = buildApp(runtime);
    try {
      const ingest = await app.inject({ method: 'POST', url: '/v1/events/orders', payload: orders });
      expect(ingest.json()).toMatchObject({ accepted: 1_200, rejected: 0 });
      await runtime.catchUp();

      const last = orders.at(-1)!;
      const request = { id: 'live-1', customer: last.customer, amount: 500, country: 'BR', at: last.ts + 1 };
      const first = await app.inject({ method: 'POST', url: '/v1/predict/baseline', payload: request });
      expect(first.statusCode).toBe(200);
      const prediction = first.json() as Prediction;
      expect(prediction).toMatchObject({ id: 'live-1', model: 'baseline', version: 1, decision: 'allow', rule: null });
      expect(prediction.score).toBe(await registryScore(1));
      expect(prediction.fallback).toBeUndefined();

      // Promote version 2; predictions keep succeeding through the reload and then come from it.
      const registry = await openRegistry(dataDir);
      await registry.setAlias('baseline', 'champion', 2);
      await registry.close();
      const during = Promise.all(Array.from({ length: 20 }, (_, i) => app.inject({ method: 'POST', url: '/v1/predict/baseline', payload: { ...request, id: `during-${i}` } })));
      expect(await runtime.reloadModels()).toEqual(['baseline']);
      expect((await during).map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      const after = (await app.inject({ method: 'POST', url: '/v1/predict/baseline', payload: request })).json() as Prediction;
      expect(after).toMatchObject({ version: 2, score: await registryScore(2) });
      expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain('tandem_model_reloads_total{model="baseline"} 1');
    } finally {
      await app.close();
      await runtime.stop();
    }
  });

  it('serves a GBDT on live features exactly as the registered version scores them, with its rules', async () => {
    const config = 'test/serving/fixtures/orders-serving.config.ts';
    const state = join(dir, 'serving-state');
    const orders = generateOrders(3_000, 11);
    await train(orders, 'orders-11.csv', config, 'fraud', state);
    const runtime = await OnlineRuntime.start(await loadProject(config), { dataDir: state, pii: new PiiProtector(undefined), serving: { reloadIntervalMs: false } });
    const app = buildApp(runtime);
    try {
      await app.inject({ method: 'POST', url: '/v1/events/orders', payload: orders });
      await runtime.catchUp();
      const at = orders.at(-1)!.ts + 1;
      const customers = [...new Set(orders.slice(-200).map((o) => o.customer))].slice(0, 20);
      const requests = customers.flatMap((customer, i) => [
        { id: `${customer}-small`, customer, amount: 30 + i, country: 'NL', at },
        { id: `${customer}-big`, customer, amount: 450, country: 'BR', at },
      ]);
      const response = await app.inject({ method: 'POST', url: '/v1/predict/fraud', payload: requests });
      expect(response.statusCode).toBe(200);
      const predictions = response.json() as Prediction[];
      const loaded = await registryModel(1, 'fraud', state);
      const engine = runtime.processor!.engine;
      for (const [i, prediction] of predictions.entries()) {
        const request = requests[i]!;
        expect(prediction).toMatchObject({ id: request.id, model: 'fraud', version: 1 });
        expect(prediction.fallback).toBeUndefined();
        // The same inputs as reading the engine directly, and the registered version's own score.
        const read = engine.read('customer_stats', request.customer, { at });
        const computed = engine.requestFeatures('order_request', request, { at });
        const row = { orders_1h: read['orders_1h'], amount_mean_7d: read['amount_mean_7d'], amount_ratio: computed['amount_ratio'], abroad: computed['abroad'] } as Record<string, number | boolean | null>;
        expect(prediction.score).toBe(loaded.score(row));
        expect(prediction.decision).toBe(prediction.score > 0.8 ? 'block' : prediction.score > 0.3 ? 'review' : 'allow');
      }
      expect(new Set(predictions.map((p) => p.score)).size).toBeGreaterThan(1);
    } finally {
      await app.close();
      await runtime.stop();
    }
  });
});
