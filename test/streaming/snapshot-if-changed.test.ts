import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { Ingestor, PiiProtector } from '../../src/ingest/index.js';
import { FileEventLog } from '../../src/log/index.js';
import { StreamProcessor } from '../../src/streaming/index.js';

const CONFIG = 'test/fixtures/payments.config.ts';
const t0 = Date.UTC(2026, 0, 1);
const payment = (ts: number, card: string) => ({ ts, card, merchant: 'm1', amount: 10, country: 'NL' });

describe('StreamProcessor.snapshotIfChanged', () => {
  it('writes only when the state moved past the snapshot on disk, and restarts from what it wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-snap-'));
    try {
      const project = await loadProject(CONFIG);
      const snapshotPath = join(dir, 'snapshot.ndjson');
      const open = async () => ({ log: await FileEventLog.open(join(dir, 'events')), deadLetters: await FileEventLog.open(join(dir, 'dead-letters')) });
      let { log, deadLetters } = await open();
      const ingestor = new Ingestor(project, { log, deadLetters, pii: new PiiProtector(undefined) });
      await ingestor.ingest('payments', [payment(t0, 'a'), payment(t0 + 1_000, 'b')]);
      // Fresh state, nothing on disk: the first call writes even with nothing applied.
      let processor = await StreamProcessor.start(project, { log, deadLetters, snapshotPath, snapshotEvery: 2 });
      // The periodic snapshot is due after these two events...
      expect((await processor.catchUp()).applied).toBe(2);
      const written = (await stat(snapshotPath)).mtimeMs;
      // ...so shutting down right after it has nothing to write.
      expect(await processor.snapshotIfChanged()).toBe(false);
      expect((await stat(snapshotPath)).mtimeMs).toBe(written);
      await ingestor.ingest('payments', [payment(t0 + 2_000, 'a')]);
      await processor.catchUp();
      expect(await processor.snapshotIfChanged()).toBe(true);
      expect(await processor.snapshotIfChanged()).toBe(false);
      await log.close();
      await deadLetters.close();
      // A restart from that snapshot has nothing new: no write either, and the state is there.
      ({ log, deadLetters } = await open());
      processor = await StreamProcessor.start(project, { log, deadLetters, snapshotPath, snapshotEvery: 1_000 });
      expect(processor.offset).toBe(3);
      expect(await processor.snapshotIfChanged()).toBe(false);
      expect(processor.engine.read('by_card', 'a', { at: t0 + 3_000 })).toMatchObject({ n_1h: 2 });
      await log.close();
      await deadLetters.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes the empty state of a fresh processor once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-snap-'));
    try {
      const project = await loadProject(CONFIG);
      const log = await FileEventLog.open(join(dir, 'events'));
      const deadLetters = await FileEventLog.open(join(dir, 'dead-letters'));
      const processor = await StreamProcessor.start(project, { log, deadLetters, snapshotPath: join(dir, 'snapshot.ndjson') });
      expect(await processor.snapshotIfChanged()).toBe(true);
      expect(await processor.snapshotIfChanged()).toBe(false);
      await log.close();
      await deadLetters.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
