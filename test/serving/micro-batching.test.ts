import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineProject, model } from '../../src/index.js';
import { PiiProtector } from '../../src/ingest/index.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';
import type { Row } from '../../src/models/model.js';
import { buildApp } from '../../src/server/app.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import { scorerOf } from '../../src/serving/scorer.js';
import type { Prediction, Scorer } from '../../src/serving/types.js';
import { LoadedModel } from '../../src/training/bundle.js';
import { trainModel } from '../../src/training/train.js';
import { customers, features, order } from '../fixtures/orders.config.js';
import { generateOrders } from '../fixtures/orders.js';

const base = { features, label: 'is_fraud', algorithm: 'prior', split: { testShare: 0.25 } } as const;
const project = defineProject({
  views: [customers],
  requestFeatures: [order],
  models: [
    model('batched', { ...base, serving: { batching: { maxBatch: 8, maxWaitMs: 2 }, fallback: [{ score: 0.05, on: ['model-error'] }] } }),
    model('single', base),
  ],
});

/** A scorer whose score is the amount ratio, counting its calls. */
function countingScorer(options: { failBatch?: boolean } = {}) {
  const calls = { one: 0, batches: [] as number[] };
  const score = (row: Row): number => Number(row['amount_ratio'] ?? 0) / 10;
  const scorer: Scorer = {
    features: features.map((ref) => ({ ref, name: ref.slice(ref.indexOf('.') + 1) })),
    score: (row) => (calls.one++, score(row)),
    scoreBatch: (rows) => {
      calls.batches.push(rows.length);
      if (options.failBatch) throw new Error('the batch failed');
      return rows.map(score);
    },
  };
  return { scorer, calls };
}

let dir: string;
let runtime: OnlineRuntime;
let app: ReturnType<typeof buildApp>;
const batched = countingScorer();
const single = countingScorer();
const T0 = Date.UTC(2026, 0, 10);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-batching-'));
  runtime = await OnlineRuntime.start(project, {
    dataDir: dir,
    pii: new PiiProtector(undefined),
    serving: {
      models: new Map([
        ['batched', { champion: { version: 1, scorer: batched.scorer } }],
        ['single', { champion: { version: 1, scorer: single.scorer } }],
      ]),
    },
  });
  app = buildApp(runtime);
  await runtime.ingest('orders', Array.from({ length: 40 }, (_, i) => ({ ts: T0 - 3_600_000 + i * 60_000, customer: `c${i % 10}`, amount: 20 + i, country: 'NL', is_fraud: false })));
  await runtime.catchUp();
});
afterAll(async () => {
  await app.close();
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
});

const request = (i: number) => ({ customer: `c${i % 10}`, amount: 30 + i, country: 'NL', at: T0 });

describe('adaptive micro-batching', () => {
  it('scores requests that arrive together in batches, with the same scores as one by one', async () => {
    const together = await Promise.all(Array.from({ length: 20 }, (_, i) => runtime.predictor!.predict('batched', request(i))));
    const alone = await Promise.all(Array.from({ length: 20 }, (_, i) => runtime.predictor!.predict('single', request(i))));
    expect(together.map((p) => p.score)).toEqual(alone.map((p) => p.score));
    expect(batched.calls.one).toBe(0);
    expect(batched.calls.batches.reduce((a, b) => a + b, 0)).toBe(20);
    expect(Math.max(...batched.calls.batches)).toBe(8);
    expect(batched.calls.batches.length).toBeLessThanOrEqual(4);
    expect(single.calls.batches).toEqual([]);
  });

  it('does not hold a lone request back: at low load each batch is one request', async () => {
    batched.calls.batches.length = 0;
    for (let i = 0; i < 5; i++) await runtime.predictor!.predict('batched', request(i));
    expect(batched.calls.batches).toEqual([1, 1, 1, 1, 1]);
  });

  it('counts batch sizes for /metrics', async () => {
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/tandem_batch_size_bucket\{model="batched",le="8"\} \d+/);
    expect(metrics).toContain('tandem_batch_size_count{model="batched"} ');
  });
});

describe('a failing batch', () => {
  it('answers each of its requests from the fallback chain', async () => {
    const failing = countingScorer({ failBatch: true });
    runtime.predictor!.replace('batched', { champion: { version: 2, scorer: failing.scorer } });
    const answers: Prediction[] = await Promise.all(Array.from({ length: 5 }, (_, i) => runtime.predictor!.predict('batched', request(i))));
    expect(answers.every((a) => a.fallback?.reason === 'model-error' && a.score === 0.05)).toBe(true);
  });
});

describe('scorerOf(...).scoreBatch', () => {
  it('gives a GBDT version the same scores in one batch as row by row', async () => {
    const trees = defineProject({ views: [customers], requestFeatures: [order], models: [model('trees', { ...base, algorithm: 'gbdt', params: { rounds: 20, maxDepth: 3, seed: 1 } })] });
    const orders = generateOrders(800);
    const trained = await trainModel(trees, 'trees', { events: { orders: tableFromRows(orders, { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' }) } });
    const scorer = scorerOf(LoadedModel.fromText(trained.artifact));
    const rows: Row[] = Array.from({ length: 50 }, (_, i) => ({
      orders_1h: i % 4,
      amount_mean_7d: i % 7 === 0 ? null : 40 + i,
      last_country: i % 3 === 0 ? 'BR' : i % 11 === 0 ? 'XX' : 'NL',
      amount_ratio: i % 5 === 0 ? null : i / 10,
      abroad: i % 2 === 0,
    }));
    const batch = Array.from(scorer.scoreBatch!(rows));
    expect(batch).toEqual(rows.map((row) => scorer.score(row)));
  });
});
