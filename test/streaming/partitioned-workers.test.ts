import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, defineProject, entity, featureView, last, lastK, max, mean, source, StreamEngine, sum } from '../../src/index.js';
import { FileEventLog } from '../../src/log/index.js';
import { MemoryPartitionStore } from '../../src/online/memory-partition-store.js';
import { partitionOf } from '../../src/online/partition-of.js';
import { PartitionRouter } from '../../src/streaming/partitioned/partition-router.js';
import { assignPartitions, PartitionedStreamWorker } from '../../src/streaming/partitioned/stream-worker.js';
import { PartitionProcessor } from '../../src/streaming/partitioned/partition-processor.js';
import type { ValidatedEvent } from '../../src/ingest/validate-event.js';
import type { EntityStateWrite } from '../../src/online/partition-store.js';

const pay = source('pay', {
  timestamp: 'ts',
  allowedLateness: '1d',
  schema: { ts: 'timestamp', card: 'string', shop: 'string', amount: 'number' },
});
const card = entity('card', { key: 'card' });
const shop = entity('shop', { key: 'shop' });
const cards = featureView('cards', pay, { entity: card, features: { n: count({ window: '1h' }), total: sum('amount', { window: '1d' }), top: max('amount'), shops: lastK('shop', { k: 2 }) } });
const cardsLong = featureView('cards_long', pay, { entity: card, features: { avg: mean('amount', { window: '7d' }) } });
const shops = featureView('shops', pay, { entity: shop, features: { n: count(), lastCard: last('card') } });
const project = defineProject({ views: [cards, cardsLong, shops] });
const PARTITIONS = 6;
const T0 = Date.UTC(2026, 5, 1);

function events(n: number, from = 0): ValidatedEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const j = from + i;
    return { ts: T0 + j * 20_000, card: `c${(j * 7) % 41}`, shop: `s${(j * 3) % 13}`, amount: (j % 17) * 3.5 } as ValidatedEvent;
  });
}

async function collect(store: MemoryPartitionStore, partition: number): Promise<EntityStateWrite[]> {
  const out: EntityStateWrite[] = [];
  for await (const chunk of store.entities(partition)) out.push(...chunk);
  return out;
}

describe('partitioned stream workers', () => {
  let dir: string;
  let namespace: string;
  let logs: FileEventLog[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-partitions-'));
    namespace = `test-${Math.random().toString(36).slice(2)}`;
    logs = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => FileEventLog.open(join(dir, `events-p${p}`), { durability: 'os' })));
  });
  afterEach(async () => {
    for (const log of logs) await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const openLog = (p: number): Promise<FileEventLog> => Promise.resolve(logs[p]!);
  /** Partition p's log, each read taking 40 ms. */
  const slowLog = (p: number): Promise<FileEventLog> =>
    Promise.resolve(
      new Proxy(logs[p]!, {
        get(log, name) {
          if (name === 'read') return async (...args: Parameters<FileEventLog['read']>) => (await sleep(40), log.read(...args));
          const value = Reflect.get(log, name, log) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(log) : value;
        },
      }),
    );

  /** Partition p's committed state reads, for every entity it holds, like one engine over p's whole log. */
  async function expectPartitionLikeItsLog(store: MemoryPartitionStore, p: number, at: number): Promise<void> {
    const reader = new StreamEngine(project);
    for (const entity of await collect(store, p)) reader.loadEntity(entity.view, entity.key, entity.state);
    const expectedEngine = new StreamEngine(project);
    for (const record of await logs[p]!.read(0, { max: 100_000 })) {
      const logged = JSON.parse(new TextDecoder().decode(record.payload)) as { event: ValidatedEvent; views?: string[] };
      expectedEngine.apply('pay', logged.event, logged.views === undefined ? undefined : new Set(logged.views));
    }
    for (const entity of await collect(store, p)) expect(reader.read(entity.view, entity.key, { at })).toEqual(expectedEngine.read(entity.view, entity.key, { at }));
  }

  /** What every view reads for every key, from the shared store, as a serving replica would. */
  async function readAll(store: MemoryPartitionStore, all: readonly ValidatedEvent[], at: number): Promise<Record<string, unknown>> {
    const reader = new StreamEngine(project);
    const out: Record<string, unknown> = {};
    for (const view of [cards, cardsLong, shops]) {
      const field = view.entity.keys[0]!;
      const keys = [...new Set(all.map((e) => String(e[field])))];
      const states = await store.read(keys.map((key) => ({ partition: partitionOf(view.entity.name, key, PARTITIONS), view: view.name, key })));
      keys.forEach((key, i) => reader.loadEntity(view.name, key, states[i]));
      for (const key of keys) out[`${view.name}/${key}`] = reader.read(view.name, key, { at });
    }
    return out;
  }

  function expected(all: readonly ValidatedEvent[], at: number): Record<string, unknown> {
    const engine = new StreamEngine(project);
    for (const event of all) engine.apply('pay', event);
    const out: Record<string, unknown> = {};
    for (const view of [cards, cardsLong, shops]) {
      const field = view.entity.keys[0]!;
      for (const key of new Set(all.map((e) => String(e[field])))) out[`${view.name}/${key}`] = engine.read(view.name, key, { at });
    }
    return out;
  }

  it('routes each event to the partitions of its entities, once per partition, naming the views when not all', () => {
    const router = new PartitionRouter(project, PARTITIONS);
    for (const event of events(200)) {
      const routed = router.route('pay', event);
      const cardPartition = partitionOf('card', String(event['card']), PARTITIONS);
      const shopPartition = partitionOf('shop', String(event['shop']), PARTITIONS);
      if (cardPartition === shopPartition) expect([...routed]).toEqual([[cardPartition, undefined]]);
      else expect(new Map(routed)).toEqual(new Map([[cardPartition, ['cards', 'cards_long']], [shopPartition, ['shops']]]));
    }
    expect([...router.route('pay', { ts: T0, shop: 's1', amount: 1 })]).toEqual([[0, undefined]]);
  });

  it('assigns every partition to exactly one live worker and moves only those of a worker that leaves', () => {
    const three = assignPartitions(['a', 'b', 'c'], 64);
    expect([...three.values()].flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 64 }, (_, p) => p));
    for (const owned of three.values()) expect(owned.length).toBeGreaterThan(10);
    const two = assignPartitions(['a', 'c'], 64);
    for (const p of three.get('a')!) expect(two.get('a')).toContain(p);
    for (const p of three.get('c')!) expect(two.get('c')).toContain(p);
  });

  it('two workers share the partitions; the shared state reads like one engine that applied every event', async () => {
    const store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace });
    const router = new PartitionRouter(project, PARTITIONS);
    const all = events(3_000);
    await router.append(logs, 'pay', all.slice(0, 1_500));
    const a = new PartitionedStreamWorker(project, { store, openLog, id: 'a', leaseMs: 60_000 });
    const b = new PartitionedStreamWorker(project, { store, openLog, id: 'b', leaseMs: 60_000 });
    await store.heartbeat('a', 60_000);
    await store.heartbeat('b', 60_000);
    await a.drain();
    await b.drain();
    expect([...a.status().partitions, ...b.status().partitions].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await router.append(logs, 'pay', all.slice(1_500));
    await a.drain();
    await b.drain();
    expect(a.status().applied + b.status().applied).toBeGreaterThanOrEqual(3_000);
    const at = T0 + 3_000 * 20_000;
    expect(await readAll(store, all, at)).toEqual(expected(all, at));
    await store.clear();
  });

  it('a worker that dies mid-stream: its partitions move to the survivor once the lease runs out, nothing lost or doubled', async () => {
    let now = 1_000_000;
    const store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace, now: () => now });
    const router = new PartitionRouter(project, PARTITIONS);
    const all = events(4_000);
    await router.append(logs, 'pay', all.slice(0, 2_000));
    const options = { store, openLog, leaseMs: 5_000, batchSize: 300 };
    const doomed = new PartitionedStreamWorker(project, { ...options, id: 'doomed' });
    const survivor = new PartitionedStreamWorker(project, { ...options, id: 'survivor' });
    await store.heartbeat('doomed', 5_000);
    await store.heartbeat('survivor', 5_000);
    await doomed.drain();
    await survivor.drain();
    const lost = doomed.status().partitions;
    expect(lost.length).toBeGreaterThan(0);
    // More events; the doomed worker stops without a word (no release, no leave).
    await router.append(logs, 'pay', all.slice(2_000, 3_000));
    now += 10_000;
    await survivor.drain(); // the doomed worker's leases ran out: the survivor takes its partitions
    expect(survivor.status().partitions).toEqual([0, 1, 2, 3, 4, 5]);
    // It comes back with its stale state: it renews nothing, takes its share again once the
    // survivor hands it over, and reloads that share from the store.
    await router.append(logs, 'pay', all.slice(3_000));
    const messages: string[] = [];
    const back = new PartitionedStreamWorker(project, { ...options, id: 'doomed', report: (m) => messages.push(m) });
    // It announces itself; the survivor sees it and hands its share back; it takes and applies it.
    await store.heartbeat('doomed', 5_000);
    await survivor.drain();
    await back.drain();
    await survivor.drain();
    expect(back.status().partitions).toEqual(lost);
    expect([...back.status().partitions, ...survivor.status().partitions].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const at = T0 + 4_000 * 20_000;
    expect(await readAll(store, all, at)).toEqual(expected(all, at));
    await store.clear();
  });

  it('a store that lost its last commits (a restart): the processor notices instead of building on them, and a reload goes on exactly', async () => {
    const store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace });
    const router = new PartitionRouter(project, PARTITIONS);
    const all = events(1_200);
    await router.append(logs, 'pay', all);
    const p = [...router.route('pay', all[0]!).keys()][0]!;
    expect(await store.acquire(p, 'w', 60_000)).toBe(true);
    const processor = await PartitionProcessor.load(project, { partition: p, store, log: logs[p]!, owner: 'w' });
    await processor.step(50);
    const saved = { entities: [...(await collect(store, p))], checkpoint: (await store.checkpoint(p))! };
    await processor.step(50);
    // The store comes back from a restart holding the first commit only.
    await store.commit(p, 'w', saved);
    await expect(processor.step(50)).rejects.toMatchObject({ code: 'TANDEM_LEASE_LOST', details: { follows: 100, found: 50 } });
    const reloaded = await PartitionProcessor.load(project, { partition: p, store, log: logs[p]!, owner: 'w' });
    expect(reloaded.offset).toBe(50);
    while ((await reloaded.step(70)).records > 0);
    const at = T0 + 1_200 * 20_000;
    await expectPartitionLikeItsLog(store, p, at);
    await store.clear();
  });

  it('a batch that fails inside the engine is not committed; the processor refuses to go on and a reload goes on exactly', async () => {
    const store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace });
    const router = new PartitionRouter(project, PARTITIONS);
    const all = events(600);
    await router.append(logs, 'pay', all);
    const p = [...router.route('pay', all[0]!).keys()][0]!;
    expect(await store.acquire(p, 'w', 60_000)).toBe(true);
    const processor = await PartitionProcessor.load(project, { partition: p, store, log: logs[p]!, owner: 'w' });
    await processor.step(20);
    const committed = (await store.checkpoint(p))!.offset;
    // An engine failure half way through the next batch (a bug, not a rejected event).
    const engine = processor.engine;
    const applyBatch = engine.applyBatch.bind(engine);
    engine.applyBatch = (source, batch, only) => {
      applyBatch(source, batch.slice(0, 5), only);
      throw new Error('engine bug');
    };
    await expect(processor.step(20)).rejects.toMatchObject({ code: 'TANDEM_INTERNAL', message: expect.stringContaining('engine bug') });
    expect(processor.broken).toBe(true);
    const applied = engine.appliedCount;
    await expect(processor.step(20)).rejects.toMatchObject({ code: 'TANDEM_INTERNAL' });
    expect(engine.appliedCount).toBe(applied);
    expect((await store.checkpoint(p))!.offset).toBe(committed);
    const reloaded = await PartitionProcessor.load(project, { partition: p, store, log: logs[p]!, owner: 'w' });
    while ((await reloaded.step(70)).records > 0);
    const at = T0 + 600 * 20_000;
    await expectPartitionLikeItsLog(store, p, at);
    await store.clear();
  });

  it('a drain longer than the lease renews it as it goes, and applies everything', async () => {
    const store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace });
    const router = new PartitionRouter(project, PARTITIONS);
    const all = events(1_200);
    await router.append(logs, 'pay', all);
    // Each read takes 40 ms: draining ~2 400 records in batches of 100 takes about a second.
    const slow = slowLog;
    const messages: string[] = [];
    const worker = new PartitionedStreamWorker(project, { store, openLog: slow, id: 'slow', leaseMs: 300, batchSize: 100, report: (m) => messages.push(m) });
    const records = logs.reduce((n, log) => n + log.nextOffset, 0);
    await worker.drain();
    expect(messages).toEqual([]);
    for (let p = 0; p < PARTITIONS; p++) expect((await store.checkpoint(p))?.offset).toBe(logs[p]!.nextOffset);
    expect(worker.status().applied).toBe(records);
    await worker.stop();
    await store.clear();
  });

  it("two one-shot drains started one after the other share the partitions: the first hands over the second's", async () => {
    const store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace });
    const router = new PartitionRouter(project, PARTITIONS);
    await router.append(logs, 'pay', events(1_200));
    const options = { store, openLog: slowLog, leaseMs: 2_000, heartbeatMs: 50, batchSize: 50 };
    const first = new PartitionedStreamWorker(project, { ...options, id: 'first' });
    const second = new PartitionedStreamWorker(project, { ...options, id: 'second' });
    const draining = first.drain();
    await sleep(150);
    await second.drain();
    await draining;
    expect(second.status().applied).toBeGreaterThan(0);
    expect(first.status().applied + second.status().applied).toBeGreaterThanOrEqual(logs.reduce((n, log) => n + log.nextOffset, 0));
    for (let p = 0; p < PARTITIONS; p++) expect((await store.checkpoint(p))?.offset).toBe(logs[p]!.nextOffset);
    await store.clear();
  });

  it('fences off a processor whose lease another took: its commit writes nothing', async () => {
    let now = 0;
    const store = await MemoryPartitionStore.open({ partitions: PARTITIONS, namespace, now: () => now });
    const router = new PartitionRouter(project, PARTITIONS);
    await router.append(logs, 'pay', events(500));
    const p = [...router.route('pay', events(1)[0]!).keys()][0]!;
    expect(await store.acquire(p, 'old', 1_000)).toBe(true);
    const stale = await PartitionProcessor.load(project, { partition: p, store, log: logs[p]!, owner: 'old' });
    now += 2_000;
    expect(await store.acquire(p, 'new', 1_000)).toBe(true);
    const fresh = await PartitionProcessor.load(project, { partition: p, store, log: logs[p]!, owner: 'new' });
    const step = await fresh.step(40);
    expect(step.records).toBe(40);
    const before = await store.checkpoint(p);
    await expect(stale.step(200)).rejects.toMatchObject({ code: 'TANDEM_LEASE_LOST' });
    expect(await store.checkpoint(p)).toEqual(before);
    expect(before?.offset).toBe(40);
    await store.clear();
  });
});
