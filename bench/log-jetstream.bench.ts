/**
 * The event log on NATS JetStream against the embedded one, in the same run: acknowledged
 * appends per second (batches of 1,000 records of 200 bytes, one batch at a time, and several
 * batches in flight) and sequential reads per second (10,000 records per read, as stream
 * processing reads). Needs a NATS server with JetStream.
 *
 * Each figure is the best of `--runs` runs, the backends taking turns, as the machine's other
 * work makes single runs noisy.
 *
 * Run: npx tsx --conditions development bench/log-jetstream.bench.ts [--url nats://127.0.0.1:4222] [--batches 200] [--runs 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import { FileEventLog, JetStreamEventLog, type EventLog } from '../src/log/index.js';

const { values: flags } = parseArgs({
  options: {
    url: { type: 'string', default: process.env['TANDEM_LOG_URL'] ?? 'nats://127.0.0.1:4222' },
    batches: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
  },
});
const url = flags.url;
const batches = Number(flags.batches);
const runs = Number(flags.runs);
const BATCH = 1_000;
const batch = Array.from({ length: BATCH }, (_, i) => new Uint8Array(200).fill(i % 251)); // about a JSON card payment

interface Backend {
  readonly name: string;
  open(): Promise<EventLog>;
  remove(): Promise<void>;
}

interface Figures {
  readonly sequential: number;
  readonly inFlight: number;
  readonly read: number;
}

const perSecond = (records: number, started: number): number => records / ((performance.now() - started) / 1000);

async function measure(backend: Backend): Promise<Figures> {
  const log = await backend.open();
  try {
    let started = performance.now();
    for (let i = 0; i < batches; i++) await log.append(batch);
    const sequential = perSecond(batches * BATCH, started);
    started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next++ < batches) await log.append(batch);
    }));
    const inFlight = perSecond(batches * BATCH, started);
    started = performance.now();
    let read = 0;
    for (let from = 0; from < log.nextOffset; ) {
      const records = await log.read(from, { max: 10_000 });
      read += records.length;
      from = records.at(-1)!.offset + 1;
    }
    if (read !== 2 * batches * BATCH) throw new Error(`${backend.name}: read ${read} records back, appended ${2 * batches * BATCH}`);
    return { sequential, inFlight, read: perSecond(read, started) };
  } finally {
    await log.close();
    await backend.remove();
  }
}

const stream = `BENCH_LOG_${process.pid}`;
let dir = '';
const file: Backend = {
  name: 'embedded files (fsync)',
  async open() {
    dir = await mkdtemp(join(tmpdir(), 'tandem-log-bench-'));
    return FileEventLog.open(dir);
  },
  remove: () => rm(dir, { recursive: true, force: true }),
};
const jetstream: Backend = {
  name: 'NATS JetStream',
  open: () => JetStreamEventLog.open({ servers: url, stream }),
  async remove() {
    const connection = await connect({ servers: url });
    const jsm = await connection.jetstreamManager();
    for (const name of [stream, `KV_${stream}_consumers`]) await jsm.streams.delete(name).catch(() => undefined);
    await connection.close();
  },
};

console.error(`${batches} batches of ${BATCH} records (200 bytes) per append mode, best of ${runs} runs; JetStream at ${url}; load average ${loadavg()[0]!.toFixed(1)}`);
const best = new Map<Backend, Figures>();
for (let run = 0; run < runs; run++) {
  for (const backend of [file, jetstream]) {
    const figures = await measure(backend);
    const previous = best.get(backend);
    best.set(backend, previous === undefined ? figures : {
      sequential: Math.max(previous.sequential, figures.sequential),
      inFlight: Math.max(previous.inFlight, figures.inFlight),
      read: Math.max(previous.read, figures.read),
    });
    console.error(`run ${run + 1}: ${backend.name} done`);
  }
}
const f = best.get(file)!;
const j = best.get(jetstream)!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(11);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`.padStart(8);
console.log(`${'records/s'.padEnd(40)} ${'files'.padStart(11)} ${'JetStream'.padStart(11)} ${'files/JS'.padStart(8)}`);
console.log(`${'append, one batch of 1,000 at a time'.padEnd(40)} ${fmt(f.sequential)} ${fmt(j.sequential)} ${ratio(f.sequential, j.sequential)}`);
console.log(`${'append, 4 batches in flight'.padEnd(40)} ${fmt(f.inFlight)} ${fmt(j.inFlight)} ${ratio(f.inFlight, j.inFlight)}`);
console.log(`${'sequential read, 10,000 per read'.padEnd(40)} ${fmt(f.read)} ${fmt(j.read)} ${ratio(f.read, j.read)}`);
console.error(`load average at the end ${loadavg()[0]!.toFixed(1)}`);
