import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, truncate, writeFile, readFile, appendFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { FileEventLog, type FileEventLogOptions } from '../../src/log/index.js';
import { runEventLogContract } from './event-log.contract.js';

runEventLogContract('embedded files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-log-'));
  return {
    // Small segments, so retention (whole segments) has something to drop.
    open: (options = {}) => FileEventLog.open(dir, { segmentBytes: 1_024, ...options } as FileEventLogOptions),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-log-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.seg')).sort();
}

describe('the embedded event log', () => {
  it('cuts a torn last write on open and carries on from the last whole record', () =>
    withDir(async (dir) => {
      const log = await FileEventLog.open(dir);
      await log.append(Array.from({ length: 10 }, (_, i) => bytes(`record ${i}`)));
      await log.close();
      const [segment] = await segments(dir);
      const path = join(dir, segment!);
      await truncate(path, (await stat(path)).size - 5); // the last record lost its tail
      const reopened = await FileEventLog.open(dir);
      expect(reopened.recovery.truncatedBytes).toBeGreaterThan(0);
      expect(reopened.nextOffset).toBe(9);
      expect((await reopened.read(0)).map((r) => new TextDecoder().decode(r.payload))).toEqual(Array.from({ length: 9 }, (_, i) => `record ${i}`));
      expect(await reopened.append([bytes('after')])).toEqual({ first: 9, last: 9 });
      await reopened.close();
    }));

  it('cuts a half-written header and a record whose bytes were damaged', () =>
    withDir(async (dir) => {
      const log = await FileEventLog.open(dir);
      await log.append([bytes('a'), bytes('b'), bytes('c')]);
      await log.close();
      const path = join(dir, (await segments(dir))[0]!);
      await appendFile(path, Buffer.from([7, 0, 0])); // a torn header
      let reopened = await FileEventLog.open(dir);
      expect(reopened.recovery.truncatedBytes).toBe(3);
      expect(reopened.nextOffset).toBe(3);
      await reopened.close();
      const data = await readFile(path);
      data[data.length - 1] = data[data.length - 1]! ^ 0xff; // flip bits in the last record's payload
      await writeFile(path, data);
      reopened = await FileEventLog.open(dir);
      expect(reopened.nextOffset).toBe(2);
      await reopened.close();
    }));

  it('names a damaged sealed segment: when its record is read, or on open when it has no index', () =>
    withDir(async (dir) => {
      const log = await FileEventLog.open(dir, { segmentBytes: 200 });
      for (let i = 0; i < 20; i++) await log.append([new Uint8Array(50).fill(i)]);
      await log.close();
      const [first] = await segments(dir);
      const path = join(dir, first!);
      const data = await readFile(path);
      data[30] = data[30]! ^ 0xff;
      await writeFile(path, data);
      // Its index still describes it (same size): the log opens, and reading the record fails.
      const reopened = await FileEventLog.open(dir);
      await expect(reopened.read(0)).rejects.toMatchObject({ code: 'TANDEM_LOG_CORRUPT', message: expect.stringContaining(first!) });
      expect((await reopened.read(10)).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
      await reopened.close();
      // Without the index the segment is read through on open, and the log refuses to open.
      await rm(path.replace(/\.seg$/, '.idx'));
      await expect(FileEventLog.open(dir)).rejects.toMatchObject({ code: 'TANDEM_LOG_CORRUPT', message: expect.stringContaining(first!) });
    }));

  it('indexes each sealed segment beside it, and reads a segment through when its index does not fit', () =>
    withDir(async (dir) => {
      const payload = (i: number): Uint8Array => bytes(`record ${i} `.repeat(1 + (i % 5)));
      const log = await FileEventLog.open(dir, { segmentBytes: 300 });
      for (let i = 0; i < 40; i++) await log.append([payload(i)]);
      await log.close();
      const sealed = (await segments(dir)).slice(0, -1);
      expect(sealed.length).toBeGreaterThan(3);
      const indexes = (await readdir(dir)).filter((f) => f.endsWith('.idx')).sort();
      expect(indexes).toEqual(sealed.map((f) => f.replace(/\.seg$/, '.idx')));
      const expected = Array.from({ length: 40 }, (_, i) => new TextDecoder().decode(payload(i)));
      const readAll = async (): Promise<string[]> => {
        const reopened = await FileEventLog.open(dir);
        try {
          return (await reopened.read(0)).map((r) => new TextDecoder().decode(r.payload));
        } finally {
          await reopened.close();
        }
      };
      expect(await readAll()).toEqual(expected);
      // A torn index, an index of garbage, an index of another size of segment: each is
      // ignored (the segment is read through) and written again.
      const [a, b, c] = indexes.map((f) => join(dir, f));
      const originals = await Promise.all([a!, b!, c!].map((path) => readFile(path)));
      // What a process killed while writing an index leaves: removed on open.
      await writeFile(`${a!}.4242.tmp`, 'half an index');
      await truncate(a!, 20);
      await writeFile(b!, randomBytes(200));
      const wrong = await readFile(c!);
      wrong[8 + 8] = wrong[8 + 8]! ^ 0x01; // the segment size it records
      await writeFile(c!, wrong);
      expect(await readAll()).toEqual(expected);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const rewritten = await Promise.all([a!, b!, c!].map((path) => readFile(path)));
      rewritten.forEach((bytes, i) => expect(bytes.equals(originals[i]!)).toBe(true));
      expect(await readAll()).toEqual(expected);
      // Retention takes a segment's index with it.
      const kept = await FileEventLog.open(dir, { retention: { maxBytes: 600 } });
      expect((await kept.applyRetention()).removedRecords).toBeGreaterThan(0);
      await kept.close();
      const left = (await segments(dir)).slice(0, -1).map((f) => f.replace(/\.seg$/, '.idx'));
      expect((await readdir(dir)).filter((f) => f.endsWith('.idx')).sort()).toEqual(left);
    }));

  it('is opened by one process at a time, and takes over the lock of one that died', () =>
    withDir(async (dir) => {
      const log = await FileEventLog.open(dir);
      await expect(FileEventLog.open(dir)).rejects.toMatchObject({ code: 'TANDEM_LOG_LOCKED' });
      await log.close();
      await writeFile(join(dir, 'LOCK'), '999999999'); // a pid that is not running
      const again = await FileEventLog.open(dir);
      await again.append([bytes('ok')]);
      await again.close();
    }));

  it('acknowledges with the weaker os durability too, and reads see only acknowledged records', () =>
    withDir(async (dir) => {
      const log = await FileEventLog.open(dir, { durability: 'os' });
      const pending = log.append([bytes('x')]);
      expect(await log.read(0)).toEqual([]); // written, not yet acknowledged
      await pending;
      expect((await log.read(0)).length).toBe(1);
      await log.close();
    }));

  it('finishes the reads in flight before close lets their files go', () =>
    withDir(async (dir) => {
      const writer = await FileEventLog.open(dir, { segmentBytes: 1_024 });
      for (let b = 0; b < 50; b++) await writer.append(Array.from({ length: 10 }, (_, i) => bytes(`record ${b * 10 + i}`)));
      await writer.close();
      expect((await segments(dir)).length).toBeGreaterThan(2);
      const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
      const before = await openFiles();
      // A fresh log has no sealed segment open for reading: each read opens its files as it goes.
      const log = await FileEventLog.open(dir, { segmentBytes: 1_024 });
      const reads = [log.read(0, { max: 500 }), log.read(250, { max: 100 })];
      await log.close();
      const [all, some] = await Promise.all(reads);
      expect(all!.map((r) => r.offset)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(some!.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => 250 + i));
      // Every file the reads opened was closed with the log (none left for the collector).
      expect(await openFiles()).toBe(before);
      // A read after close is refused.
      await expect(log.read(0)).rejects.toThrow();
    }));

  it('loses no acknowledged record when the process is killed while appending (kill -9, several moments)', async () => {
    // Default segments, and segments of 1 KiB, which roll (and write their index) every few batches.
    for (const [acksBeforeKill, segmentBytes] of [[1], [40], [400], [40, 1_024], [400, 1_024]] as const) {
      await withDir(async (dir) => {
        const args = ['--import', 'tsx', 'test/log/fixtures/append-until-killed.ts', dir, ...(segmentBytes === undefined ? [] : [String(segmentBytes)])];
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
        let lastAcked = -1;
        const lines = createInterface({ input: child.stdout! });
        await new Promise<void>((done) => {
          lines.on('line', (line) => {
            lastAcked = Number(line);
            if (lastAcked + 1 >= acksBeforeKill * 10 && !child.killed) {
              child.kill('SIGKILL');
              done();
            }
          });
        });
        await new Promise((done) => child.once('exit', done));
        const log = await FileEventLog.open(dir);
        expect(log.nextOffset).toBeGreaterThan(lastAcked);
        const records = await log.read(0, { max: 1_000_000 });
        expect(records.length).toBe(log.nextOffset);
        records.forEach((r, i) => expect(new TextDecoder().decode(r.payload)).toBe(`event ${i}`));
        await log.close();
        if (segmentBytes !== undefined) {
          // Sealed segments were indexed as they rolled; opened again (from the indexes), the
          // log holds the same records.
          const sealed = (await segments(dir)).slice(0, -1);
          expect(sealed.length).toBeGreaterThan(1);
          const indexes = (await readdir(dir)).filter((f) => f.endsWith('.idx'));
          expect(indexes.length).toBeGreaterThanOrEqual(sealed.length);
          const again = await FileEventLog.open(dir);
          expect((await again.read(0, { max: 1_000_000 })).map((r) => new TextDecoder().decode(r.payload))).toEqual(records.map((r) => new TextDecoder().decode(r.payload)));
          await again.close();
        }
      });
    }
  });
});
