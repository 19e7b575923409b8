import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirs } from '../../src/cli/commands/ingest.js';
import { loadProject } from '../../src/config/load-project.js';
import { generateTransactions } from '../../src/demo/transactions.js';
import { backfillRows } from '../../src/engine/index.js';
import { decodeLoggedEvent, Ingestor, PiiProtector } from '../../src/ingest/index.js';
import { columnValue } from '../../src/io/column-value.js';
import { FileEventLog } from '../../src/log/index.js';
import { StreamProcessor } from '../../src/streaming/index.js';

const CONFIG = 'test/fixtures/payments.config.ts';

async function ingestGenerated(dataDir: string, count: number): Promise<void> {
  const project = await loadProject(CONFIG);
  const table = generateTransactions({ events: count, cards: 200, merchants: 30 });
  const names = ['ts', 'card', 'merchant', 'amount', 'country'];
  const rows = Array.from({ length: table.length }, (_, i) => Object.fromEntries(names.map((n) => [n, columnValue(table.columns.get(n)!, i)])));
  const dirs = dataDirs(dataDir);
  const log = await FileEventLog.open(dirs.events);
  const deadLetters = await FileEventLog.open(dirs.deadLetters);
  const result = await new Ingestor(project, { log, deadLetters, pii: new PiiProtector(undefined) }).ingest('payments', rows);
  expect(result.accepted).toBe(count);
  await log.close();
  await deadLetters.close();
}

/**
 * Run `tandem stream` in a child process; once it has written a snapshot of its own, wait
 * `delayMs` and kill it with SIGKILL. Returns the offset of the last snapshot on disk.
 */
async function killMidStream(dataDir: string, delayMs: number): Promise<number> {
  const snapshot = join(dataDir, 'snapshot.ndjson');
  const before = existsSync(snapshot) ? statSync(snapshot).mtimeMs : 0;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions', 'development', 'src/cli/bin.ts', 'stream', '--config', CONFIG, '--data-dir', dataDir, '--batch-size', '200', '--snapshot-every', '1000'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise((done) => child.once('exit', done));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !(existsSync(snapshot) && statSync(snapshot).mtimeMs > before)) {
    await new Promise((done) => setTimeout(done, 10));
  }
  await new Promise((done) => setTimeout(done, delayMs));
  child.kill('SIGKILL');
  await exited;
  const header = JSON.parse(readFileSync(snapshot, 'utf8').split('\n', 1)[0]!) as { meta: { offset: number } };
  return header.meta.offset;
}

describe('stream processing', () => {
  it('after kill -9 at several moments, the state equals a backfill over exactly the acknowledged events', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tandem-stream-'));
    try {
      const total = 40_000;
      await ingestGenerated(dataDir, total);
      const offsets: number[] = [];
      for (const delay of [0, 40, 120]) offsets.push(await killMidStream(dataDir, delay));
      // Each run resumed from the one before; the first was surely killed part way through.
      expect(offsets.every((o, i) => o > (offsets[i - 1] ?? 0) && o <= total), offsets.join(', ')).toBe(true);
      expect(offsets[0]).toBeLessThan(total);

      const project = await loadProject(CONFIG);
      const dirs = dataDirs(dataDir);
      const log = await FileEventLog.open(dirs.events);
      const deadLetters = await FileEventLog.open(dirs.deadLetters);
      const processor = await StreamProcessor.start(project, { log, deadLetters, snapshotPath: join(dataDir, 'snapshot.ndjson') });
      await processor.catchUp();
      const events = (await log.read(0, { max: 1_000_000 })).map((r) => decodeLoggedEvent(r.payload, r.offset).event);
      await log.close();
      await deadLetters.close();

      // Nothing lost, nothing counted twice.
      expect(processor.offset).toBe(events.length);
      expect(processor.engine.appliedCount).toBe(events.length);
      const at = processor.engine.watermark('payments') + 1;
      const cards = [...new Set(events.map((e) => e['card'] as string))];
      const spine = cards.map((card) => ({ card, ts: at }));
      const expected = backfillRows(project, { views: ['by_card'], events, spine });
      cards.forEach((card, i) => {
        const { card: _c, ts: _t, ...features } = expected[i]!;
        expect(processor.engine.read('by_card', card, { at }), card).toEqual(features);
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
