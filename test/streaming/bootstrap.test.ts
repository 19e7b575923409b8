import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadProject } from '../../src/config/load-project.js';
import { generateTransactions } from '../../src/demo/transactions.js';
import { StreamEngine } from '../../src/engine/index.js';
import { Ingestor, PiiProtector } from '../../src/ingest/index.js';
import { columnValue } from '../../src/io/column-value.js';
import { writeTable } from '../../src/io/index.js';
import { FileEventLog } from '../../src/log/index.js';
import { readSnapshot } from '../../src/streaming/index.js';
import { columnOf } from '../../src/engine/column-of.js';

const CONFIG = 'test/fixtures/payments.config.ts';
let out = '';
let err = '';
beforeEach(() => {
  out = err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('Lambda mode: tandem stream --bootstrap', () => {
  it('seeds the state from history, continues from the log, and equals having streamed everything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-lambda-'));
    try {
      const project = await loadProject(CONFIG);
      const table = generateTransactions({ events: 12_000, cards: 120, merchants: 20 });
      const names = ['ts', 'card', 'merchant', 'amount', 'country'];
      const rows = Array.from({ length: table.length }, (_, i) => Object.fromEntries(names.map((n) => [n, columnValue(table.columns.get(n)!, i)])));
      const split = 7_000;
      // History: the first events, in a Parquet file, newest first (the bootstrap sorts by
      // time). Events of one instant keep their order, which decides the order they are applied
      // in: only the same sequence of events gives the same bits.
      const history = rows
        .slice(0, split)
        .map((row, i) => ({ row, i }))
        .sort((a, b) => (b.row['ts'] as number) - (a.row['ts'] as number) || a.i - b.i)
        .map(({ row }) => row);
      await writeTable({ length: history.length, columns: new Map(names.map((n) => [n, columnOf(history.map((r) => r[n]))])) }, join(dir, 'history.parquet'));
      // The rest went through the log.
      const log = await FileEventLog.open(join(dir, 'events'));
      const deadLetters = await FileEventLog.open(join(dir, 'dead-letters'));
      await new Ingestor(project, { log, deadLetters, pii: new PiiProtector(undefined) }).ingest('payments', rows.slice(split));
      await log.close();
      await deadLetters.close();

      const args = ['node', 'tandem', 'stream', '--once', '--config', CONFIG, '--data-dir', dir];
      expect(await main([...args, '--bootstrap', join(dir, 'history.parquet'), '--source', 'payments']), err).toBe(0);
      expect(out).toContain('bootstrap: 7,000 history events');
      expect(out).toContain('stream: applied 5,000 events (offsets 0–4,999)');

      const restored = (await readSnapshot(project, join(dir, 'snapshot.ndjson')))!;
      expect(restored.meta.offset).toBe(rows.length - split);
      const straight = new StreamEngine(project);
      for (const row of rows) straight.apply('payments', row);
      const at = straight.watermark('payments') + 1;
      for (const card of new Set(rows.map((r) => r['card'] as string))) {
        expect(restored.engine.read('by_card', card, { at }), card).toEqual(straight.read('by_card', card, { at }));
      }

      // Seeding twice would count the history twice: refused, unless it replaces the state.
      expect(await main([...args, '--bootstrap', join(dir, 'history.parquet'), '--source', 'payments'])).toBe(2);
      expect(err).toContain('a snapshot exists');

      // The batch layer re-seeds: history now covering the first 2,000 log records too, handing
      // over at offset 2,000. The state is rebuilt, equal again to streaming everything once.
      const more = rows.slice(0, split + 2_000);
      await writeTable({ length: more.length, columns: new Map(names.map((n) => [n, columnOf(more.map((r) => r[n]))])) }, join(dir, 'history2.parquet'));
      out = '';
      const reseed = [...args, '--bootstrap', join(dir, 'history2.parquet'), '--source', 'payments', '--bootstrap-offset', '2000', '--reseed'];
      expect(await main(reseed), err).toBe(0);
      expect(out).toContain('stream: applied 3,000 events (offsets 2,000–4,999)');
      const reseeded = (await readSnapshot(project, join(dir, 'snapshot.ndjson')))!;
      expect(reseeded.engine.appliedCount).toBe(rows.length);
      for (const card of new Set(rows.map((r) => r['card'] as string))) {
        expect(reseeded.engine.read('by_card', card, { at }), card).toEqual(straight.read('by_card', card, { at }));
      }

      // Run again with nothing new in the log: it says so, rather than an empty range of offsets.
      out = '';
      expect(await main(args), err).toBe(0);
      expect(out).toContain('stream: applied 0 events (none after offset 4,999), 0 rejected');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
