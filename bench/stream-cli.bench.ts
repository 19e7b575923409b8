/**
 * The command-line streaming path end to end, on the fraud example (3 views, sliding distinct
 * counts, a tokenized field): `tandem ingest` of generated transactions from Parquet into a fresh
 * data folder, `tandem stream --once` over the log from an empty state (micro-batches, JSON
 * decoding, the engine, a snapshot), and `tandem stream --once` again, which only restores the
 * snapshot (a restart's cost). The baseline, in this process: the engine alone applying the same
 * events, read from the same log and decoded beforehand, which is what the stream command would
 * reach with no log, decoding or snapshot at all.
 *
 * Run: npm run bench:stream-cli [-- --events 1000000 --batch-size 100000]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadProject } from '../src/config/load-project.js';
import { generateTransactions } from '../src/demo/transactions.js';
import { StreamEngine } from '../src/engine/stream.js';
import { decodeLoggedEvent, type LoggedEvent } from '../src/ingest/log-records.js';
import { writeTable } from '../src/io/index.js';
import { FileEventLog } from '../src/log/index.js';
import { wholeNumber } from './options.js';

const options = new Command()
  .option('--events <n>', 'generated transactions', wholeNumber, 1_000_000)
  .option('--batch-size <n>', "tandem stream's --batch-size, and the baseline's events per applyBatch call", wholeNumber, 100_000)
  .parse()
  .opts<{ events: number; batchSize: number }>();

const CONFIG = resolve('examples/fraud/tandem.config.ts');
const BIN = resolve('src/cli/bin.ts');
/** GNU time reports the child's peak memory; without it the column says so. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Run {
  readonly seconds: number;
  readonly maxRssMB: number | undefined;
  readonly output: string;
}

/** One CLI command in a child process, as a user runs it; its wall time and peak memory. */
function cli(args: readonly string[], env: NodeJS.ProcessEnv): Run {
  const node = [process.execPath, '--import', 'tsx/esm', '--conditions', 'development', BIN, ...args];
  const command = TIME === undefined ? node : [TIME, '-f', 'maxrss-kb %M', ...node];
  const t0 = performance.now();
  const child = spawnSync(command[0]!, command.slice(1), { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (child.status !== 0) throw new Error(`tandem ${args[0]} failed (${child.status}): ${child.stderr}`);
  const rss = /maxrss-kb (\d+)/.exec(child.stderr)?.[1];
  return { seconds, maxRssMB: rss === undefined ? undefined : Math.round(Number(rss) / 1024), output: child.stdout.trim() };
}

const dir = await mkdtemp(join(tmpdir(), 'tandem-stream-cli-bench-'));
try {
  const n = options.events;
  const parquet = join(dir, 'transactions.parquet');
  const data = join(dir, 'data');
  await writeTable(generateTransactions({ events: n }), parquet);
  // A key made for this run only: the tokenized field needs one, and none is kept anywhere.
  const env = { ...process.env, TANDEM_PII_KEY: randomBytes(32).toString('hex') };
  const load = loadavg()[0]!;

  const ingest = cli(['ingest', parquet, '--config', CONFIG, '--source', 'transactions', '--data-dir', data], env);
  const batch = options.batchSize;
  const stream = cli(['stream', '--once', '--batch-size', String(batch), '--config', CONFIG, '--data-dir', data], env);
  const restart = cli(['stream', '--once', '--batch-size', String(batch), '--config', CONFIG, '--data-dir', data], env);
  if (!/applied 0 events/.test(restart.output)) throw new Error(`the restart applied events again: ${restart.output}`);

  // The baseline: the engine alone on the same events, decoded before the clock starts, in
  // the stream's micro-batches (one source: one applyBatch call each).
  const log = await FileEventLog.open(join(data, 'events'));
  const events: LoggedEvent[] = [];
  for (let from = 0; from < log.nextOffset; ) {
    const records = await log.read(from, { max: 50_000 });
    for (const record of records) events.push(decodeLoggedEvent(record.payload, record.offset));
    from = records.at(-1)!.offset + 1;
  }
  await log.close();
  const engine = new StreamEngine(await loadProject(CONFIG));
  const batches: LoggedEvent['event'][][] = [];
  for (let i = 0; i < events.length; i += batch) batches.push(events.slice(i, i + batch).map((e) => e.event));
  const source = events[0]!.source;
  if (events.some((e) => e.source !== source)) throw new Error('the baseline expects one source');
  const t0 = performance.now();
  for (const run of batches) engine.applyBatch(source, run);
  const applySeconds = (performance.now() - t0) / 1000;
  if (engine.appliedCount !== n) throw new Error(`the engine applied ${engine.appliedCount} of ${n} events`);

  const rate = (seconds: number): string => `${Math.round(n / seconds).toLocaleString('en-US')} events/s`;
  const mb = (run: Run): string => (run.maxRssMB === undefined ? 'maxRSS n/a' : `maxRSS ${run.maxRssMB.toLocaleString('en-US')} MB`);
  const rows: [string, string][] = [
    ['events', `${n.toLocaleString('en-US')} fraud-example transactions (3 views), micro-batches of ${batch.toLocaleString('en-US')}, load average ${load.toFixed(2)} before`],
    ['tandem ingest', `${ingest.seconds.toFixed(1)} s wall (process start included), ${rate(ingest.seconds)}, ${mb(ingest)}`],
    ['tandem stream --once', `${stream.seconds.toFixed(1)} s wall, ${rate(stream.seconds)}, ${mb(stream)}`],
    ['restart (restore only)', `${restart.seconds.toFixed(1)} s wall, ${mb(restart)}`],
    ['engine alone (baseline)', `${applySeconds.toFixed(1)} s, ${rate(applySeconds)}, the same events decoded beforehand, ${batch.toLocaleString('en-US')} per applyBatch call, in this process`],
    ['stream / engine alone', `${(applySeconds / stream.seconds).toFixed(2)}× the baseline's rate`],
  ];
  for (const [label, value] of rows) console.log(`${label.padEnd(25)} ${value}`);
  console.log(`\n${ingest.output.split('\n')[0]}\n${stream.output}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
