import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { Ingestor, PiiProtector } from '../../src/ingest/index.js';
import { decodeDeadLetter } from '../../src/ingest/log-records.js';
import { FileEventLog } from '../../src/log/index.js';
import { StreamProcessor } from '../../src/streaming/index.js';
import { StreamEngine } from '../../src/engine/index.js';
import { count, defineProject, entity, featureView, source, sum } from '../../src/index.js';

const CONFIG = 'test/fixtures/payments.config.ts';
const H = 3_600_000;
const t0 = Date.UTC(2026, 0, 1);
const payment = (ts: number, card: string) => ({ ts, card, merchant: 'm1', amount: 10, country: 'NL' });

/** Run `body` with a fresh temporary folder, removed afterwards. */
async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-dl-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('engine rejections in the dead letters', () => {
  it('are recorded once even when a crash replays the events that caused them', () =>
    withDir(async (dir) => {
      const project = await loadProject(CONFIG);
      const open = async () => ({ log: await FileEventLog.open(join(dir, 'events')), deadLetters: await FileEventLog.open(join(dir, 'dead-letters')) });
      let { log, deadLetters } = await open();
      const ingestor = new Ingestor(project, { log, deadLetters, pii: new PiiProtector(undefined) });
      // Two events, then one an hour too late (the source allows 5 minutes), then one more.
      await ingestor.ingest('payments', [payment(t0 + 2 * H, 'a'), payment(t0 + 3 * H, 'b')]);
      const options = { snapshotPath: join(dir, 'snapshot.ndjson'), snapshotEvery: Number.MAX_SAFE_INTEGER };
      let processor = await StreamProcessor.start(project, { ...options, log, deadLetters });
      await processor.catchUp();
      await processor.snapshot();
      await ingestor.ingest('payments', [payment(t0 + H, 'c'), payment(t0 + 4 * H, 'd')]);
      expect((await processor.catchUp()).rejected).toBe(1);
      // Crash: no snapshot after the rejection was written. Restart replays offsets 2 and 3.
      await log.close();
      await deadLetters.close();
      ({ log, deadLetters } = await open());
      processor = await StreamProcessor.start(project, { ...options, log, deadLetters });
      expect(processor.offset).toBe(2);
      const replay = await processor.catchUp();
      expect(replay).toMatchObject({ applied: 1, rejected: 1, offset: 4 });
      await processor.snapshot();
      // A later late event after a clean restart is still recorded.
      await log.append([new TextEncoder().encode(JSON.stringify({ source: 'payments', event: payment(t0, 'e') }))]);
      await log.close();
      await deadLetters.close();
      ({ log, deadLetters } = await open());
      processor = await StreamProcessor.start(project, { ...options, log, deadLetters });
      expect((await processor.catchUp()).rejected).toBe(1);
      const letters = (await deadLetters.read(0)).map((r) => decodeDeadLetter(r.payload));
      expect(letters.map((l) => [l.code, l.stage, (l.payload as { offset: number }).offset])).toEqual([
        ['TANDEM_LATE_EVENT', 'stream', 2],
        ['TANDEM_LATE_EVENT', 'stream', 4],
      ]);
      await log.close();
      await deadLetters.close();
    }));

  it('takes an event whose feature function throws, with the error, and goes on with the next', () =>
    withDir(async (dir) => {
      const tx = source('payments', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', amount: 'number' } });
      const byCard = featureView('by_card', tx, {
        entity: entity('card', { key: 'card' }),
        features: {
          n: count({ window: '1h' }),
          fragile: sum((e: { amount: number }) => {
            if (e.amount < 0) throw new RangeError('negative amount');
            return e.amount;
          }),
        },
      });
      const project = defineProject({ views: [byCard] });
      const log = await FileEventLog.open(join(dir, 'events'));
      const deadLetters = await FileEventLog.open(join(dir, 'dead-letters'));
      const encode = (event: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify({ source: 'payments', event }));
      await log.append([encode({ ts: t0, card: 'a', amount: 5 }), encode({ ts: t0 + 1, card: 'a', amount: -1 }), encode({ ts: t0 + 2, card: 'a', amount: 7 })]);
      const processor = await StreamProcessor.start(project, { snapshotPath: join(dir, 'snapshot.ndjson'), log, deadLetters });
      // Twice: a second pass has nothing left to apply, so nothing is counted again.
      expect(await processor.catchUp()).toMatchObject({ applied: 2, rejected: 1, offset: 3 });
      expect(await processor.catchUp()).toMatchObject({ applied: 0, rejected: 0, offset: 3 });
      expect(processor.engine.read('by_card', 'a', { at: t0 + H / 2 })).toEqual({ n: 2, fragile: 12 });
      const letters = (await deadLetters.read(0)).map((r) => decodeDeadLetter(r.payload));
      expect(letters.map((l) => [l.code, l.reason, (l.payload as { offset: number }).offset])).toEqual([
        ['TANDEM_FEATURE_VALUE', "the function of feature 'by_card.fragile' threw: negative amount", 1],
      ]);
      await log.close();
      await deadLetters.close();
    }));

  it('a batch that fails inside the engine: no second application, no snapshot of that state, a restart goes on exactly', () =>
    withDir(async (dir) => {
      const project = await loadProject(CONFIG);
      const open = async () => ({ log: await FileEventLog.open(join(dir, 'events')), deadLetters: await FileEventLog.open(join(dir, 'dead-letters')) });
      let { log, deadLetters } = await open();
      const ingestor = new Ingestor(project, { log, deadLetters, pii: new PiiProtector(undefined) });
      await ingestor.ingest('payments', [payment(t0, 'a'), payment(t0 + 1, 'b')]);
      const options = { snapshotPath: join(dir, 'snapshot.ndjson'), snapshotEvery: Number.MAX_SAFE_INTEGER };
      let processor = await StreamProcessor.start(project, { ...options, log, deadLetters });
      await processor.catchUp();
      await processor.snapshot();
      await ingestor.ingest('payments', [payment(t0 + 2, 'a'), payment(t0 + 3, 'a'), payment(t0 + 4, 'c')]);
      // An engine failure after the first event of the batch (a bug, not a rejected event).
      const engine = processor.engine;
      const applyBatch = engine.applyBatch.bind(engine);
      engine.applyBatch = (source, batch, only) => {
        applyBatch(source, batch.slice(0, 1), only);
        throw new Error('engine bug');
      };
      await expect(processor.step()).rejects.toMatchObject({ code: 'TANDEM_INTERNAL', message: expect.stringContaining('from log offset 2') });
      await expect(processor.catchUp()).rejects.toMatchObject({ code: 'TANDEM_INTERNAL' });
      expect(engine.appliedCount).toBe(3);
      expect(await processor.snapshotIfChanged()).toBe(false);
      await expect(processor.snapshot()).rejects.toMatchObject({ code: 'TANDEM_INTERNAL' });
      // Restart: the snapshot at offset 2, then the log from there.
      await log.close();
      await deadLetters.close();
      ({ log, deadLetters } = await open());
      processor = await StreamProcessor.start(project, { ...options, log, deadLetters });
      expect(processor.offset).toBe(2);
      expect(await processor.catchUp()).toMatchObject({ applied: 3, rejected: 0, offset: 5 });
      const at = t0 + H / 2;
      expect(processor.engine.readEntity('by_card', 'a', { at }).values).toEqual(
        (() => {
          const fresh = new StreamEngine(project);
          for (const [ts, card] of [[t0, 'a'], [t0 + 1, 'b'], [t0 + 2, 'a'], [t0 + 3, 'a'], [t0 + 4, 'c']] as const) fresh.apply('payments', payment(ts, card));
          return fresh.readEntity('by_card', 'a', { at }).values;
        })(),
      );
      await log.close();
      await deadLetters.close();
    }));
});
