import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, RetentionPolicy } from '../../src/log/index.js';

/** How a backend's contract run creates, reopens and removes its log. */
export interface LogHarness {
  /** A log on fresh storage (or the current storage after `close`), with these settings. */
  open(options?: { readonly retention?: RetentionPolicy; readonly now?: () => number }): Promise<EventLog>;
  cleanup(): Promise<void>;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

/**
 * The behaviour every event log backend must have. Call it from each backend's test file with
 * a harness for that backend (the embedded files here; JetStream later).
 */
export function runEventLogContract(name: string, makeHarness: () => Promise<LogHarness>): void {
  describe(`event log contract: ${name}`, () => {
    let harness: LogHarness;
    let log: EventLog;
    beforeEach(async () => {
      harness = await makeHarness();
      log = await harness.open();
    });
    afterEach(async () => {
      await log.close();
      await harness.cleanup();
    });

    it('gives appended records consecutive offsets from 0 and reads them back in order', async () => {
      expect(log.nextOffset).toBe(0);
      expect(await log.append([bytes('a'), bytes('b')])).toEqual({ first: 0, last: 1 });
      expect(await log.append([bytes('c')])).toEqual({ first: 2, last: 2 });
      const records = await log.read(0);
      expect(records.map((r) => [r.offset, text(r.payload)])).toEqual([[0, 'a'], [1, 'b'], [2, 'c']]);
      expect(records.every((r) => Number.isFinite(r.appendedAt))).toBe(true);
      expect(log.nextOffset).toBe(3);
    });

    it('reads from any offset, at most max records, at least one record whatever maxBytes says, nothing past the end', async () => {
      await log.append(Array.from({ length: 20 }, (_, i) => bytes(`event-${i}`)));
      expect((await log.read(15)).map((r) => r.offset)).toEqual([15, 16, 17, 18, 19]);
      expect((await log.read(3, { max: 2 })).map((r) => r.offset)).toEqual([3, 4]);
      expect((await log.read(3, { maxBytes: 1 })).map((r) => r.offset)).toEqual([3]);
      expect((await log.read(3, { maxBytes: 15 })).map((r) => r.offset)).toEqual([3, 4]);
      expect(await log.read(20)).toEqual([]);
      expect(await log.read(1_000)).toEqual([]);
    });

    it('keeps concurrent appends whole and in offset order', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([bytes(`${i}.0`), bytes(`${i}.1`)])));
      const offsets = results.flatMap((r) => [r.first, r.last]).sort((a, b) => a - b);
      expect(offsets).toEqual(Array.from({ length: 100 }, (_, i) => i));
      const records = await log.read(0, { max: 1_000 });
      for (const [i, r] of results.entries()) {
        expect(text(records[r.first]!.payload)).toBe(`${i}.0`);
        expect(text(records[r.last]!.payload)).toBe(`${i}.1`);
      }
    });

    it('treats an empty append as a no-op', async () => {
      await log.append([bytes('x')]);
      expect(await log.append([])).toEqual({ first: 1, last: 0 });
      expect(log.nextOffset).toBe(1);
    });

    it('keeps records and consumer offsets across a close and reopen', async () => {
      await log.append([bytes('one'), bytes('two'), bytes('three')]);
      await log.commit('features', 2);
      expect(await log.committed('features')).toBe(2);
      expect(await log.committed('nobody')).toBeUndefined();
      await log.close();
      log = await harness.open();
      expect(log.nextOffset).toBe(3);
      expect(await log.committed('features')).toBe(2);
      expect((await log.read(2)).map((r) => text(r.payload))).toEqual(['three']);
      expect(await log.append([bytes('four')])).toEqual({ first: 3, last: 3 });
    });

    it('refuses commits past the end and consumer names it cannot store', async () => {
      await log.append([bytes('a')]);
      await expect(log.commit('features', 5)).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
      await expect(log.commit('../escape', 0)).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
    });

    it('drops the oldest records once the size limit is passed, and reads start at the first retained one', async () => {
      await log.close();
      log = await harness.open({ retention: { maxBytes: 4_000 } });
      for (let i = 0; i < 40; i++) await log.append(Array.from({ length: 5 }, () => new Uint8Array(100).fill(i)));
      await log.applyRetention();
      expect(log.firstOffset).toBeGreaterThan(0);
      expect(log.nextOffset).toBe(200);
      const records = await log.read(0, { max: 1_000 });
      expect(records[0]!.offset).toBe(log.firstOffset);
      expect(records.at(-1)!.offset).toBe(199);
      expect(records.length).toBeLessThan(200);
    });

    it('drops records older than the age limit', async () => {
      await log.close();
      let now = 1_000_000;
      log = await harness.open({ retention: { maxAgeMs: 60_000 }, now: () => now });
      for (let i = 0; i < 30; i++) {
        await log.append([new Uint8Array(300).fill(i)]);
        now += 10_000;
      }
      await log.applyRetention();
      const records = await log.read(0, { max: 1_000 });
      expect(records.at(-1)!.offset).toBe(29);
      expect(records.every((r) => r.appendedAt >= now - 60_000 - 200_000)).toBe(true); // whole segments go at once
      expect(log.firstOffset).toBeGreaterThan(0);
    });

    it('refuses use after close', async () => {
      await log.close();
      expect(() => log.append([bytes('late')])).toThrow(expect.objectContaining({ code: 'TANDEM_LOG_CLOSED' }));
      log = await harness.open();
    });
  });
}
