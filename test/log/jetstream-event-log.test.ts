import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetentionPolicy as StreamRetention, StorageType, connect } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { FileEventLog, JetStreamEventLog, openEventLog, type EventLog } from '../../src/log/index.js';
import { runEventLogContract } from './event-log.contract.js';
import { freePort, PrivateServer } from '../support/private-services.js';

/**
 * The JetStream log against a real NATS server: the contract suite on the server at
 * TANDEM_TEST_NATS_URL (default nats://127.0.0.1:4222; a private one is started when none
 * answers there), and fault tests on private servers this file starts and kills.
 */
const NATS_SERVER = 'nats-server';
const installed = spawnSync(NATS_SERVER, ['--version']).status === 0;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);
let streams = 0;
const uniqueStream = (): string => `TEST_LOG_${process.pid}_${Date.now().toString(36)}_${streams++}`;

async function answers(url: string): Promise<boolean> {
  try {
    const connection = await connect({ servers: url, timeout: 1_000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/** Remove a log's stream and its consumers' bucket. */
async function removeStream(url: string, stream: string): Promise<void> {
  const connection = await connect({ servers: url });
  const jsm = await connection.jetstreamManager();
  for (const name of [stream, `KV_${stream}_consumers`]) await jsm.streams.delete(name).catch(() => undefined);
  await connection.close();
}

if (!installed) {
  describe.skip(`event log on NATS JetStream: skipped, '${NATS_SERVER}' is not installed (put nats-server on the PATH)`, () => {
    it('needs a nats-server', () => undefined);
  });
} else {
  const configured = process.env['TANDEM_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
  const fallback = (await answers(configured)) ? undefined : await PrivateServer.nats();
  const url = fallback?.url ?? configured;
  afterAll(() => fallback?.stop());

  runEventLogContract('NATS JetStream', async () => {
    const stream = uniqueStream();
    return {
      open: (options = {}) => JetStreamEventLog.open({ servers: url, stream, ...options }),
      cleanup: () => removeStream(url, stream),
    };
  });

  describe('the event log on NATS JetStream', () => {
    async function withLog(run: (log: JetStreamEventLog, stream: string) => Promise<void>): Promise<void> {
      const stream = uniqueStream();
      const log = await JetStreamEventLog.open({ servers: url, stream });
      try {
        await run(log, stream);
      } finally {
        await log.close();
        await removeStream(url, stream);
      }
    }

    it('maps offsets to stream sequences minus one and keeps consumer offsets in a key-value bucket', () =>
      withLog(async (log, stream) => {
        await log.append([bytes('a'), bytes('b'), bytes('c')]);
        await log.commit('features.v2', 2);
        const connection = await connect({ servers: url });
        const jsm = await connection.jetstreamManager();
        const second = await jsm.streams.getMessage(stream, { seq: 2 });
        expect(text(second.data)).toBe('b');
        const kv = await connection.jetstream().views.kv(`${stream}_consumers`);
        expect(JSON.parse(text((await kv.get('features=2Ev2'))!.value))).toEqual({ offset: 2 });
        await connection.close();
      }));

    it("shows a reader the records another process appended, and another process's commits", () =>
      withLog(async (writer, stream) => {
        const reader = await JetStreamEventLog.open({ servers: url, stream });
        try {
          expect(await reader.read(0)).toEqual([]);
          await writer.append([bytes('one'), bytes('two')]);
          expect((await reader.read(0)).map((r) => text(r.payload))).toEqual(['one', 'two']);
          expect(reader.nextOffset).toBe(2);
          await reader.commit('features', 2); // the reader had seen offset 2 only through its read
          expect(await writer.committed('features')).toBe(2);
        } finally {
          await reader.close();
        }
      }));

    it('stores a payload again under the same id only once (Nats-Msg-Id), when the caller gives ids', () =>
      withLog(async (log) => {
        expect(await log.append([bytes('x'), bytes('y')], { ids: ['order-1', 'order-2'] })).toEqual({ first: 0, last: 1, duplicates: 0, repeats: [] });
        expect(await log.append([bytes('y'), bytes('z')], { ids: ['order-2', 'order-3'] })).toEqual({ first: 2, last: 2, duplicates: 1, repeats: [0] });
        expect((await log.read(0)).map((r) => text(r.payload))).toEqual(['x', 'y', 'z']);
        expect(() => log.append([bytes('w')], { ids: [] })).toThrow(expect.objectContaining({ code: 'TANDEM_USAGE' }));
      }));

    it('stamps records with the time JetStream stored them, unless the log has a clock of its own', () =>
      withLog(async (log, stream) => {
        const before = Date.now();
        await log.append([bytes('now')]);
        const [record] = await log.read(0);
        expect(record!.appendedAt).toBeGreaterThanOrEqual(before - 1_000);
        expect(record!.appendedAt).toBeLessThanOrEqual(Date.now() + 1_000);
        const clocked = await JetStreamEventLog.open({ servers: url, stream, now: () => 42 });
        await clocked.append([bytes('then')]);
        expect((await clocked.read(1))[0]!.appendedAt).toBe(42);
        await clocked.close();
      }));

    it('refuses an existing stream it cannot use, saying why', async () => {
      const stream = uniqueStream();
      const connection = await connect({ servers: url });
      const jsm = await connection.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [`tandem.log.${stream}`], storage: StorageType.File, retention: StreamRetention.Workqueue });
      try {
        await expect(JetStreamEventLog.open({ servers: url, stream })).rejects.toMatchObject({
          code: 'TANDEM_USAGE',
          message: expect.stringContaining("retention 'workqueue'"),
        });
      } finally {
        await removeStream(url, stream);
        await connection.close();
      }
    });

    it('says the server cannot be reached when nothing listens', async () => {
      await expect(JetStreamEventLog.open({ servers: `nats://127.0.0.1:${await freePort()}`, stream: 'UNREACHABLE', timeoutMs: 500 })).rejects.toMatchObject({
        code: 'TANDEM_LOG_UNAVAILABLE',
      });
    });

    it('keeps every acknowledged append exactly once and in order through a kill -9 of the server, rejects appends and reads while it is down, and resumes without reopening', async () => {
      const server = await PrivateServer.nats();
      const stream = uniqueStream();
      const log = await JetStreamEventLog.open({ servers: server.url, stream, timeoutMs: 800 });
      try {
        interface Outcome {
          readonly n: number;
          readonly at: number;
          first?: number;
          error?: { code?: string };
        }
        const outcomes: Outcome[] = [];
        let running = true;
        let n = 0;
        // Four writers, so appends are in flight at the moment of the kill.
        const writers = Array.from({ length: 4 }, async () => {
          while (running) {
            const outcome: Outcome = { n: n++, at: Date.now() };
            outcomes.push(outcome);
            try {
              outcome.first = (await log.append(Array.from({ length: 5 }, (_, k) => bytes(`${outcome.n}.${k}`)))).first;
            } catch (error) {
              outcome.error = error as { code?: string };
              await new Promise((done) => setTimeout(done, 50));
            }
          }
        });
        const resolved = (): Outcome[] => outcomes.filter((o) => o.first !== undefined);
        const until = async (condition: () => boolean): Promise<void> => {
          while (!condition()) await new Promise((done) => setTimeout(done, 10));
        };

        await until(() => resolved().length >= 200);
        await server.kill();
        const killedAt = Date.now();
        await until(() => outcomes.some((o) => o.error !== undefined && o.at > killedAt));
        await expect(log.read(0)).rejects.toMatchObject({ code: 'TANDEM_LOG_UNAVAILABLE' });
        await server.start();
        const restartedAt = Date.now();
        await until(() => resolved().filter((o) => o.at > restartedAt).length >= 20);
        running = false;
        await Promise.all(writers);

        const failed = outcomes.filter((o) => o.error !== undefined);
        expect(failed.length).toBeGreaterThan(0);
        for (const o of failed) expect(o.error!.code).toBe('TANDEM_LOG_UNAVAILABLE');

        const records = await log.read(0, { max: 1_000_000 });
        const where = new Map<string, number[]>();
        for (const r of records) where.set(text(r.payload), [...(where.get(text(r.payload)) ?? []), r.offset]);
        const acked = resolved().sort((a, b) => a.first! - b.first!);
        for (const o of acked) {
          for (let k = 0; k < 5; k++) expect(where.get(`${o.n}.${k}`)).toEqual([o.first! + k]); // there once, where the append said
        }
        // One process's appends go out in call order, so acknowledged appends are in call order.
        expect(acked.map((o) => o.n)).toEqual([...acked.map((o) => o.n)].sort((a, b) => a - b));
        expect(acked.some((o) => o.at > restartedAt)).toBe(true);
      } finally {
        await log.close();
        await server.stop();
      }
    }, 20_000);
  });

  describe('openEventLog', () => {
    async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
      const dir = await mkdtemp(join(tmpdir(), 'tandem-open-log-'));
      try {
        await run(dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    it('opens the embedded log without TANDEM_LOG_URL, and the JetStream stream TANDEM_<NAME> with a nats:// one', () =>
      withDir(async (dataDir) => {
        let log: EventLog = await openEventLog({ dataDir, name: 'dead-letters', env: {} });
        expect(log).toBeInstanceOf(FileEventLog);
        await log.close();
        const prefix = `T${process.pid}_`;
        log = await openEventLog({ dataDir, name: 'dead-letters', env: { TANDEM_LOG_URL: url, TANDEM_LOG_STREAM_PREFIX: prefix } });
        try {
          expect(log).toBeInstanceOf(JetStreamEventLog);
          expect((log as JetStreamEventLog).stream).toBe(`${prefix}DEAD_LETTERS`);
        } finally {
          await log.close();
          await removeStream(url, `${prefix}DEAD_LETTERS`);
        }
      }));

    it('refuses a TANDEM_LOG_URL that is not nats://', () =>
      withDir(async (dataDir) => {
        await expect(openEventLog({ dataDir, name: 'events', env: { TANDEM_LOG_URL: 'kafka://broker:9092' } })).rejects.toMatchObject({
          code: 'TANDEM_USAGE',
          message: expect.stringContaining("'kafka://broker:9092' is not a nats:// URL"),
        });
      }));
  });
}
