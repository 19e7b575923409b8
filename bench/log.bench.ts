/**
 * The embedded event log's durable append rate: how many acknowledged records per second,
 * with fsync durability, for appends one at a time, many in flight (sharing fsyncs), and in
 * batches; and the read rate. Run: npm run bench:log
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileEventLog } from '../src/log/index.js';

const payload = new Uint8Array(120).fill(7); // about the size of a JSON card transaction

async function measure(label: string, records: number, run: (log: FileEventLog) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-log-bench-'));
  try {
    const log = await FileEventLog.open(dir);
    const t0 = performance.now();
    await run(log);
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    let read = 0;
    for (let from = 0; from < log.nextOffset; ) {
      const batch = await log.read(from, { max: 50_000 });
      read += batch.length;
      from = batch.at(-1)!.offset + 1;
    }
    const readSeconds = (performance.now() - t1) / 1000;
    await log.close();
    console.log(`${label.padEnd(44)} ${Math.round(records / seconds).toLocaleString('en-US').padStart(11)} appends/s acknowledged   read back ${Math.round(read / readSeconds).toLocaleString('en-US')} records/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await measure('one record per append, one at a time', 2_000, async (log) => {
  for (let i = 0; i < 2_000; i++) await log.append([payload]);
});
await measure('one record per append, 256 in flight', 200_000, async (log) => {
  let next = 0;
  await Promise.all(Array.from({ length: 256 }, async () => {
    while (next < 200_000) {
      next++;
      await log.append([payload]);
    }
  }));
});
await measure('batches of 1,000 records, one at a time', 1_000_000, async (log) => {
  const batch = Array.from({ length: 1_000 }, () => payload);
  for (let i = 0; i < 1_000; i++) await log.append(batch);
});
