import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PiiProtector } from '../../src/ingest/pii.js';
import { FileEventLog } from '../../src/log/index.js';
import { MemoryPartitionStore } from '../../src/online/memory-partition-store.js';
import type { PartitionStateStore } from '../../src/online/partition-store.js';
import { TandemError } from '../../src/errors.js';
import { buildApp } from '../../src/server/app.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import { PartitionedStreamWorker } from '../../src/streaming/partitioned/stream-worker.js';
import type { Row } from '../../src/models/model.js';
import { history, project, scorer, served, T0 } from '../serving/serving-project.js';

const PARTITIONS = 4;
const byOrders = scorer((row: Row) => Math.min(1, (row['orders_1h'] as number) / 10));

/** The store, whose reads can be made to fail as an unreachable Redis's do. */
function flaky(store: PartitionStateStore): PartitionStateStore & { down: boolean } {
  let down = false;
  // Every other member goes to the store itself (its private fields need it as the receiver).
  return new Proxy(store, {
    get(target, property) {
      if (property === 'down') return down;
      if (property === 'read') {
        return (items: Parameters<PartitionStateStore['read']>[0]) =>
          down ? Promise.reject(new TandemError('TANDEM_STATE_UNAVAILABLE', 'Redis is down')) : target.read(items);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(target, property, value) {
      if (property === 'down') {
        down = value as boolean;
        return true;
      }
      return Reflect.set(target, property, value, target);
    },
  }) as PartitionStateStore & { down: boolean };
}

describe('serving replicas of a shared online state', () => {
  let dir: string;
  let logs: FileEventLog[];
  let deadLetters: FileEventLog;
  let store: MemoryPartitionStore;
  const running: { stop(): Promise<void> }[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-replica-'));
    logs = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => FileEventLog.open(join(dir, `events-p${p}`), { durability: 'os' })));
    deadLetters = await FileEventLog.open(join(dir, 'dead-letters'));
    store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace: `replica-${Math.random().toString(36).slice(2)}` });
  });
  afterEach(async () => {
    for (const one of running.splice(0).reverse()) await one.stop();
    await store.clear();
    await rm(dir, { recursive: true, force: true });
  });

  async function replica(readStore: PartitionStateStore = store): Promise<{ runtime: OnlineRuntime; app: ReturnType<typeof buildApp> }> {
    const runtime = await OnlineRuntime.start(project, {
      dataDir: join(dir, `replica-${running.length}`),
      pii: new PiiProtector(undefined),
      serving: { models: new Map([['fraud', served(byOrders, scorer(() => 0.42))], ['bare', served(byOrders)]]) },
      // Each replica has the logs open; only the first closes them.
      shared: { store: readStore, logs: running.length === 0 ? logs : logs.map((log) => Object.assign(Object.create(log) as FileEventLog, { close: async () => undefined })), deadLetters },
    });
    const app = buildApp(runtime);
    running.push({ stop: async () => (await app.close(), await runtime.stop()) });
    return { runtime, app };
  }

  it('one replica ingests, a worker applies, another replica predicts from the shared state', async () => {
    const [a, b] = [await replica(), await replica()];
    expect(a.runtime.processor).toBeUndefined();
    const events = [...history('c1', [20, 30, 40]), ...history('c9', Array(10).fill(50))].sort((x, y) => (x['ts'] as number) - (y['ts'] as number));
    const ingested = await a.app.inject({ method: 'POST', url: '/v1/events/orders', payload: [...events, { ts: 'yesterday', customer: 'c1' }] });
    expect(ingested.json()).toMatchObject({ accepted: 13, rejected: 1, offsets: null });
    const worker = new PartitionedStreamWorker(project, { store, openLog: (p) => Promise.resolve(logs[p]!), id: 'w1' });
    await worker.drain();
    expect(worker.status().applied).toBe(13);

    const predict = await b.app.inject({ method: 'POST', url: '/v1/predict/fraud', payload: [{ customer: 'c1', amount: 60, country: 'NL', at: T0 }, { customer: 'c9', amount: 60, country: 'NL', at: T0 }] });
    expect((predict.json() as { score: number }[]).map((p) => p.score)).toEqual([0.3, 1]);
    const features = await b.app.inject({ method: 'GET', url: `/v1/features/customer_stats?key=c1&key=nobody&at=${T0}` });
    expect(features.json()).toMatchObject({ results: [{ key: 'c1', values: { orders_1h: 3, amount_mean_7d: 30, last_country: 'NL' } }, { key: 'nobody', lastEventAt: null }] });
    await b.runtime.catchUp();
    expect(b.runtime.features.eventsApplied()).toBe(13);

    // New events reach the replica's reads as soon as a worker has applied them.
    await a.app.inject({ method: 'POST', url: '/v1/events/orders', payload: history('c1', [1, 1, 1, 1]).map((e, i) => ({ ...e, ts: T0 - 40_000 + i * 1_000 })) });
    await worker.drain();
    const after = await b.app.inject({ method: 'POST', url: '/v1/predict/fraud', payload: { customer: 'c1', amount: 60, country: 'NL', at: T0 } });
    expect(after.json()).toMatchObject({ score: 0.7 });
    await worker.stop();
  });

  it('answers by the fallback when the shared state cannot be read, says why, and recovers when it returns', async () => {
    const down = flaky(store);
    const { app } = await replica(down);
    await app.inject({ method: 'POST', url: '/v1/events/orders', payload: history('c1', [20, 30, 40]) });
    const worker = new PartitionedStreamWorker(project, { store, openLog: (p) => Promise.resolve(logs[p]!), id: 'w1' });
    await worker.drain();
    down.down = true;
    const fallback = await app.inject({ method: 'POST', url: '/v1/predict/fraud', payload: { customer: 'c1', amount: 60, country: 'NL', at: T0 } });
    expect(fallback.statusCode).toBe(200);
    expect(fallback.json()).toMatchObject({ fallback: { reason: 'features-unavailable' } });
    // Without a fallback the error says what is down, as a 503.
    const bare = await app.inject({ method: 'POST', url: '/v1/predict/bare', payload: { customer: 'c1', amount: 60, country: 'NL', at: T0 } });
    expect(bare.statusCode).toBe(503);
    expect(bare.json()).toMatchObject({ error: { code: 'TANDEM_STATE_UNAVAILABLE' } });
    const features = await app.inject({ method: 'GET', url: `/v1/features/customer_stats?key=c1&at=${T0}` });
    expect(features.statusCode).toBe(503);
    expect(features.json()).toMatchObject({ error: { code: 'TANDEM_STATE_UNAVAILABLE' } });
    // Ingestion does not need the shared state.
    const ingested = await app.inject({ method: 'POST', url: '/v1/events/orders', payload: history('c2', [5]) });
    expect(ingested.json()).toMatchObject({ accepted: 1 });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/tandem_fallbacks_total\{[^}]*reason="features-unavailable"[^}]*\} 1/);
    down.down = false;
    const back = await app.inject({ method: 'POST', url: '/v1/predict/fraud', payload: { customer: 'c1', amount: 60, country: 'NL', at: T0 } });
    expect(back.json()).toMatchObject({ score: 0.3, version: 3 });
    await worker.stop();
  });
});
