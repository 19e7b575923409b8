import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { backfillRows } from '../../src/engine/index.js';
import { StreamEngine } from '../../src/engine/stream.js';
import type { Project } from '../../src/features/project.js';
import { JetStreamEventLog } from '../../src/log/jetstream/jetstream-event-log.js';
import { partitionOf } from '../../src/online/partition-of.js';
import { RedisPartitionStore } from '../../src/online/redis/redis-partition-store.js';
import { assignPartitions } from '../../src/streaming/partitioned/stream-worker.js';
import { PrivateServer } from '../support/private-services.js';

/**
 * Scale-out under faults, with real processes on 127.0.0.1: serving replicas and stream
 * workers (`tandem serve|stream --partitions`) on a private NATS JetStream and a private
 * Redis, which the tests kill and restart during load. Afterwards the shared online state
 * must equal a backfill over exactly the acknowledged events, and every prediction made
 * during the load must have been answered (by the model or its fallback).
 */
const CONFIG = 'test/fixtures/scaleout.config.ts';
const PARTITIONS = 4;
const PG_URL = process.env['TANDEM_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const T0 = Date.UTC(2026, 9, 1);
const CARDS = 60;
const SHOPS = 15;

type Event = Record<string, unknown>;

/** Payment j: deterministic, one every 5 seconds. */
function payment(j: number): Event {
  return { id: `p${j}`, ts: T0 + j * 5_000, card: `c${(j * 7) % CARDS}`, shop: `s${(j * 11) % SHOPS}`, amount: 5 + ((j * 37) % 200), fraud: j % 23 === 0 };
}

/** A `tandem` command in a child process, its output lines collected. */
class Tandem {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'development', 'src/cli/bin.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) createInterface({ input: stream }).on('line', (line) => this.lines.push(line));
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  /** The first output line matching `pattern` (waiting up to `ms`). */
  async waitFor(pattern: RegExp, ms = 30_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (const line of this.lines) {
        const match = pattern.exec(line);
        if (match !== null) return match;
      }
      if (this.child.exitCode !== null) throw new Error(`tandem exited (${this.child.exitCode}) before printing ${pattern}:\n${this.lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`tandem did not print ${pattern} within ${ms} ms:\n${this.lines.join('\n')}`);
      await sleep(20);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

interface Deployment {
  readonly env: NodeJS.ProcessEnv;
  readonly namespace: string;
  readonly prefix: string;
  readonly processes: Tandem[];
}

describe('scale-out under faults (real processes on 127.0.0.1)', () => {
  let nats: PrivateServer;
  let redis: PrivateServer;
  let dir: string;
  let project: Project;
  const schema = `tandem_scaleout_${process.pid}`;
  const deployments: Deployment[] = [];

  const baseEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    TANDEM_LOG_URL: nats.url,
    TANDEM_ONLINE_URL: redis.url,
    TANDEM_PARTITIONS: String(PARTITIONS),
    TANDEM_LEASE_MS: '1500',
    TANDEM_REGISTRY_URL: PG_URL,
    TANDEM_REGISTRY_SCHEMA: schema,
  });

  beforeAll(async () => {
    [nats, redis] = await Promise.all([PrivateServer.nats(), PrivateServer.redis()]);
    dir = await mkdtemp(join(tmpdir(), 'tandem-scaleout-'));
    project = await loadProject(CONFIG);
    const history = join(dir, 'history.ndjson');
    await writeFile(history, Array.from({ length: 3_000 }, (_, j) => JSON.stringify(payment(j - 3_000))).join('\n'));
    const train = new Tandem(['train', '--config', CONFIG, '--model', 'risk', '--events', history, '--data-dir', join(dir, 'train')], baseEnv());
    expect(await train.exited, train.lines.join('\n')).toBe(0);
  }, 120_000);

  afterAll(async () => {
    for (const deployment of deployments) for (const process of deployment.processes) await process.kill();
    await nats?.stop();
    await redis?.stop();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /** A fresh deployment: its own Redis namespace and JetStream streams. */
  function deployment(): Deployment {
    const id = `${deployments.length}${Math.random().toString(36).slice(2, 6)}`;
    const d = { env: { ...baseEnv(), TANDEM_ONLINE_NAMESPACE: `faults${id}`, TANDEM_LOG_STREAM_PREFIX: `FAULTS${id.toUpperCase()}_` }, namespace: `faults${id}`, prefix: `FAULTS${id.toUpperCase()}_`, processes: [] };
    deployments.push(d);
    return d;
  }

  function start(d: Deployment, args: readonly string[], env: NodeJS.ProcessEnv = {}): Tandem {
    const process = new Tandem([...args, '--config', CONFIG, '--data-dir', join(dir, `${d.namespace}-${d.processes.length}`)], { ...d.env, ...env });
    d.processes.push(process);
    return process;
  }

  async function replica(d: Deployment, args: readonly string[] = ['--reload-interval', '0']): Promise<string> {
    const process = start(d, ['serve', '--port', '0', ...args]);
    return (await process.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  }

  async function worker(d: Deployment, id?: string): Promise<Tandem> {
    const process = start(d, ['stream'], id === undefined ? {} : { TANDEM_WORKER_ID: id });
    await process.waitFor(/stream worker \S+: sharing/);
    return process;
  }

  /**
   * Send `batches` batches of payments to the replicas in turn, each retried (the same events,
   * the same ids) until acknowledged; predict all along. `during(i)` runs before batch i.
   * Returns the acknowledged events and the predictions' outcomes.
   */
  async function load(replicas: readonly string[], batches: number, during: (batch: number) => Promise<void>): Promise<{ acked: Event[]; predictions: { status: number; body: { score?: number; fallback?: { reason: string } } }[]; retries: number }> {
    const acked: Event[] = [];
    const predictions: { status: number; body: { score?: number } }[] = [];
    let retries = 0;
    let loading = true;
    const predicting = (async () => {
      for (let i = 0; loading; i++) {
        const response = await fetch(`${replicas[i % replicas.length]}/v1/predict/risk`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ card: `c${i % CARDS}`, shop: `s${i % SHOPS}`, at: T0 + acked.length * 5_000 }),
        }).catch((error: unknown) => ({ status: 0, json: async () => ({ error: String(error) }) }));
        predictions.push({ status: response.status, body: (await response.json()) as { score?: number } });
        await sleep(15);
      }
    })();
    for (let b = 0; b < batches; b++) {
      await during(b);
      const events = Array.from({ length: 100 }, (_, i) => payment(b * 100 + i));
      for (let attempt = 0; ; attempt++) {
        const response = await fetch(`${replicas[(b + attempt) % replicas.length]}/v1/events/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) }).catch(() => undefined);
        if (response?.status === 200) {
          const body = (await response.json()) as { accepted: number; duplicates: number };
          expect(body.accepted + body.duplicates).toBe(events.length);
          acked.push(...events);
          break;
        }
        retries++;
        if (attempt > 300) throw new Error(`batch ${b} was not acknowledged after ${attempt} attempts: ${response?.status} ${await response?.text()}`);
        await sleep(100);
      }
    }
    loading = false;
    await predicting;
    return { acked, predictions, retries };
  }

  /** Wait until every partition's checkpoint has reached the end of its log. */
  async function caughtUp(d: Deployment, store: RedisPartitionStore): Promise<void> {
    const ends: number[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const log = await JetStreamEventLog.open({ servers: nats.url, stream: `${d.prefix}EVENTS_P${p}` });
      ends.push(log.nextOffset);
      await log.close();
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const offsets = await Promise.all(ends.map(async (_, p) => (await store.checkpoint(p).catch(() => undefined))?.offset ?? 0));
      if (offsets.every((offset, p) => offset >= ends[p]!)) return;
      if (Date.now() > deadline) throw new Error(`partitions not caught up: checkpoints ${offsets.join(', ')}, log ends ${ends.join(', ')}`);
      await sleep(100);
    }
  }

  /** The shared state, read as a replica reads it, equals a backfill over exactly the acknowledged events. */
  async function expectStateEqualsBackfill(d: Deployment, acked: readonly Event[]): Promise<void> {
    const store = await RedisPartitionStore.open({ url: redis.url, namespace: d.namespace, partitions: PARTITIONS });
    try {
      await caughtUp(d, store);
      expect(new Set(acked.map((e) => e['id'])).size).toBe(acked.length);
      const at = Math.max(...acked.map((e) => e['ts'] as number)) + 1;
      const reader = new StreamEngine(project);
      for (const [view, field, entity] of [['cards', 'card', 'card'], ['shops', 'shop', 'shop']] as const) {
        const keys = [...new Set(acked.map((e) => e[field] as string))];
        const states = await store.read(keys.map((key) => ({ partition: partitionOf(entity, key, PARTITIONS), view, key })));
        keys.forEach((key, i) => reader.loadEntity(view, key, states[i]));
        const expected = backfillRows(project, { views: [view], events: [...acked], spine: keys.map((key) => ({ [field]: key, ts: at })) });
        keys.forEach((key, i) => {
          const { [field]: _key, ts: _ts, ...features } = expected[i]!;
          expect(reader.read(view, key, { at }), `${view} ${key}`).toEqual(features);
        });
      }
    } finally {
      await store.close();
    }
  }

  function expectEveryPredictionAnswered(predictions: { status: number; body: { score?: number } }[]): void {
    expect(predictions.length).toBeGreaterThan(10);
    const failed = predictions.filter((p) => p.status !== 200 || typeof p.body.score !== 'number');
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
  }

  it('replicas reload the model when the champion alias moves in the shared registry, answering every request meanwhile', async () => {
    const d = deployment();
    const replicas = await Promise.all([replica(d, ['--reload-interval', '200']), replica(d, ['--reload-interval', '200'])]);
    await worker(d);
    const version = async (address: string): Promise<number | null> => {
      const response = await fetch(`${address}/v1/predict/risk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card: 'c1', shop: 's1', at: T0 }) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { version: number | null }).version;
    };
    // Card c1 and shop s1 get state, so the model (not the fallback for unseen entities) answers.
    const ingested = await fetch(`${replicas[0]}/v1/events/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ ...payment(0), card: 'c1', shop: 's1' }]) });
    expect(ingested.status).toBe(200);
    let before = await Promise.all(replicas.map(version));
    for (let tries = 0; before.includes(null) && tries < 500; tries++) {
      await sleep(20);
      before = await Promise.all(replicas.map(version));
    }
    expect(before[0]).toEqual(expect.any(Number));
    expect(before[0]).toBe(before[1]);
    const history = join(dir, 'history-2.ndjson');
    await writeFile(history, Array.from({ length: 2_000 }, (_, j) => JSON.stringify(payment(j - 2_000))).join('\n'));
    const retrain = new Tandem(['train', '--config', CONFIG, '--model', 'risk', '--events', history, '--alias', 'champion', '--data-dir', join(dir, 'train')], d.env);
    let answered = 0;
    const seen = new Set<number | null>();
    while (retrain.child.exitCode === null || seen.size < 2 || !(await Promise.all(replicas.map(version))).every((v) => v === before[0]! + 1)) {
      for (const address of replicas) {
        seen.add(await version(address));
        answered++;
      }
      if (answered > 3_000) throw new Error(`the replicas did not move to the new champion: ${[...seen].join(', ')}`);
      await sleep(20);
    }
    expect(await retrain.exited).toBe(0);
    expect([...seen].sort()).toEqual([before[0], before[0]! + 1]);
  }, 180_000);

  it('a stream worker killed -9 during load: the other takes its partitions, nothing lost or counted twice', async () => {
    const d = deployment();
    const replicas = await Promise.all([replica(d), replica(d)]);
    // Fixed ids, so the worker killed holds partitions (see the join test).
    const [first] = await Promise.all([worker(d, 'worker-a'), worker(d, 'worker-b')]);
    const { acked, predictions } = await load(replicas, 40, async (batch) => {
      if (batch === 15) await first!.kill('SIGKILL');
      await sleep(20);
    });
    expect(acked.length).toBe(4_000);
    await expectStateEqualsBackfill(d, acked);
    expectEveryPredictionAnswered(predictions);
  }, 180_000);

  it('a worker joining during load: partitions are handed over with their state, nothing lost or counted twice', async () => {
    const d = deployment();
    const replicas = await Promise.all([replica(d), replica(d)]);
    // Ids between which rendezvous hashing splits the 4 partitions (random ids may not split 4).
    const ids = ['worker-a', 'worker-b'];
    expect([...assignPartitions(ids, PARTITIONS).values()].every((owned) => owned.length > 0)).toBe(true);
    const first = await worker(d, ids[0]);
    let second: Tandem | undefined;
    const { acked, predictions } = await load(replicas, 30, async (batch) => {
      if (batch === 10) second = await worker(d, ids[1]);
      await sleep(20);
    });
    await expectStateEqualsBackfill(d, acked);
    expectEveryPredictionAnswered(predictions);
    // Both worked: each stops with a summary naming the partitions it held.
    await Promise.all([first.kill('SIGTERM'), second!.kill('SIGTERM')]);
    const held = [first, second!].map((w) => /partitions ([\d, ]+|none) at exit/.exec(w.lines.join('\n'))?.[1]);
    expect(held.every((h) => h !== undefined && h !== 'none'), held.join(' / ')).toBe(true);
  }, 180_000);

  it('NATS killed and restarted during load: ingestion resumes, no acknowledged event lost or doubled', async () => {
    const d = deployment();
    const replicas = await Promise.all([replica(d), replica(d)]);
    await Promise.all([worker(d), worker(d)]);
    const { acked, predictions, retries } = await load(replicas, 30, async (batch) => {
      if (batch === 10) {
        await nats.kill();
        // Longer than an append waits for the server (5 s): some requests fail with 503 and are re-sent.
        setTimeout(() => void nats.start(), 6_500);
      }
      await sleep(20);
    });
    expect(retries).toBeGreaterThan(0);
    await expectStateEqualsBackfill(d, acked);
    expectEveryPredictionAnswered(predictions);
  }, 180_000);

  it('Redis killed and restarted empty during load: predictions fall back meanwhile, workers rebuild the state from the log', async () => {
    const d = deployment();
    const replicas = await Promise.all([replica(d), replica(d)]);
    await Promise.all([worker(d), worker(d)]);
    const { acked, predictions } = await load(replicas, 30, async (batch) => {
      if (batch === 10) {
        await redis.kill();
        await sleep(1_000);
        await redis.start();
      }
      await sleep(20);
    });
    await expectStateEqualsBackfill(d, acked);
    expectEveryPredictionAnswered(predictions);
    expect(predictions.some((p) => p.body.fallback?.reason === 'features-unavailable')).toBe(true);
  }, 180_000);
});
