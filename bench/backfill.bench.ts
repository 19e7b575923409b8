/**
 * Backfill benchmark: Tandem's columnar backfill against DuckDB SQL window functions computing
 * the same nine features over the same generated events, in one process, with every value
 * compared. Also measures the stream driver's apply rate and a plain typed-array pass for
 * context. See bench/README.md for what is measured and the recorded results.
 *
 *   npm run bench                          # 3,000,000 events, 5 rounds
 *   npm run bench -- --events 200000       # a quick run
 *   npm run bench -- --json                # machine-readable results on stdout
 *   npm run bench -- --runs 3 --save r.json # 3 rounds, the sides alternating; best of each side, results also saved as JSON
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { backfill, backfillParallel, StreamEngine, type BackfillResult } from '../src/engine/index.js';
import { plainArena, sharedArena } from '../src/engine/buffer-arena.js';
import type { Table } from '../src/io/table.js';
import { bruteForce, compareColumns, relativeDifference, type Agreement } from './compare.js';
import { checkFrame, featureQuery, loadEvents, openDuckDB, readResult, toSql, type TimeEncoding } from './duckdb.js';
import { generateEvents, keyStats, prng, type GeneratedEvents } from './generate.js';
import { wholeNumber } from './options.js';
import { FEATURE_NAMES, FEATURE_SPECS, VIEW_NAMES, checkSpecs, project, transactions } from './project.js';

const TOLERANCE = 1e-9;

const options = new Command('backfill.bench')
  .description('Tandem backfill vs DuckDB SQL window functions on the same features')
  .option('--events <n>', 'events to generate', wholeNumber, 3_000_000)
  .option('--stream-events <n>', 'events applied through the stream driver (at most --events)', wholeNumber, 1_000_000)
  .option('--stream-batch <n>', 'events per applyBatch call in the batched stream apply', wholeNumber, 100_000)
  .option('--stream-runs <n>', 'timed runs of each stream apply: one event at a time and batched alternating, then the batches made in turn (the best of each is reported)', wholeNumber, 3)
  .option('--runs <n>', 'timed rounds, each running every side once in turn (the best of each side is reported; round 1 includes compiling)', wholeNumber, 5)
  .option('--seed <n>', 'generator seed', wholeNumber, 20_240_601)
  .option('--spot-checks <n>', 'random rows whose features are also brute-forced exactly', wholeNumber, 20)
  .addOption(new Option('--time <encoding>', 'SQL type of the event time (epoch ms or TIMESTAMP)').choices(['bigint', 'timestamp']).default('bigint'))
  .option('--json', 'print the results as JSON on stdout', false)
  .option('--save <file>', 'also write the results as JSON to a file')
  .parse()
  .opts<{ events: number; streamEvents: number; streamBatch: number; streamRuns: number; runs: number; seed: number; spotChecks: number; time: TimeEncoding; json: boolean; save?: string }>();
const timeEncoding = options.time;

// Progress goes to stderr, one line per phase, so --json output stays clean.
const started = performance.now();
const phase = (message: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
};

interface MemorySample {
  readonly maxRssMB: number;
  readonly heapUsedMB: number;
  readonly arrayBuffersMB: number;
  /** Of the array buffers: working buffers the backfill arenas keep for reuse (for a minute idle, buffer-arena.ts). */
  readonly backfillArenaMB: number;
}
const memory = (): MemorySample => {
  const usage = process.memoryUsage();
  const mb = (bytes: number): number => Math.round(bytes / 1_048_576);
  // resourceUsage().maxRSS is in kilobytes.
  return {
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMB: mb(usage.heapUsed),
    arrayBuffersMB: mb(usage.arrayBuffers),
    backfillArenaMB: mb(sharedArena.idleBytes + plainArena.idleBytes),
  };
};
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Every garbage collection's pause, as V8 reports them (delivered after the fact). */
const gcPauses: PerformanceEntry[] = [];
new PerformanceObserver((list) => gcPauses.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
/** `detail.kind` of a full (mark-compact) collection (perf_hooks' NODE_PERFORMANCE_GC_MAJOR). */
const GC_MAJOR = 4;

/** One timed run of the stream apply: its wall clock, the kernel CPU time in it, and when it ran. */
interface StreamRun {
  readonly seconds: number;
  readonly systemSeconds: number;
  readonly from: number;
  readonly to: number;
}

function streamRun(apply: () => void): StreamRun {
  const c0 = process.cpuUsage();
  const from = performance.now();
  apply();
  const to = performance.now();
  return { seconds: (to - from) / 1000, systemSeconds: process.cpuUsage(c0).system / 1e6, from, to };
}

/** What the best (shortest) of some runs spent outside the engine's own code. */
interface RunCosts {
  /** Pauses of garbage collection in the run; of which full collections. */
  readonly gcSeconds: number;
  readonly fullGcSeconds: number;
  /** Kernel CPU time (mostly page faults, as the state first touches its memory). */
  readonly systemSeconds: number;
}

/** The costs of the best of `runs`; call once the GC entries of its time have been delivered. */
function costsOfBest(runs: readonly StreamRun[]): RunCosts {
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const inRun = gcPauses.filter((entry) => entry.startTime >= best.from && entry.startTime < best.to);
  const sum = (entries: PerformanceEntry[]): number => entries.reduce((total, entry) => total + entry.duration, 0) / 1000;
  return {
    gcSeconds: sum(inRun),
    fullGcSeconds: sum(inRun.filter((entry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === GC_MAJOR)),
    systemSeconds: best.systemSeconds,
  };
}

/** CPU seconds of a run: every thread of the process (DuckDB's and the workers' included). */
interface CpuTime {
  readonly user: number;
  readonly system: number;
}

async function timed<T>(runs: number, run: () => T | Promise<T>): Promise<{ result: T; seconds: number; all: number[]; cpu: CpuTime[] }> {
  const all: number[] = [];
  const cpu: CpuTime[] = [];
  const last: { result?: T } = {};
  for (let r = 0; r < runs; r++) {
    delete last.result; // let the previous run's output go before the next one allocates
    collect();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last.result = await run();
    all.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push({ user: c.user / 1e6, system: c.system / 1e6 });
  }
  return { result: last.result as T, seconds: Math.min(...all), all, cpu };
}

/** The CPU time of the fastest of `runs`. */
function cpuOfBest(runs: readonly number[], cpu: readonly CpuTime[]): CpuTime {
  return cpu[runs.indexOf(Math.min(...runs))]!;
}

/** The feature columns of a backfill output, placed by event id. */
function featureColumns(table: Table, length: number): Float64Array[] {
  const idColumn = table.columns.get('id');
  if (idColumn?.type !== 'number') throw new Error("backfill output lacks the spine's 'id' column");
  const ids = idColumn.values;
  if (table.length !== length) throw new Error(`backfill output has ${table.length} rows, expected one per event (${length})`);
  return FEATURE_NAMES.map((name) => {
    const column = table.columns.get(name);
    if (column === undefined || column.type !== 'number') {
      throw new Error(`backfill output column '${name}' is ${column === undefined ? 'missing' : `of type '${column.type}'`}, expected 'number'`);
    }
    const out = new Float64Array(length);
    for (let i = 0; i < table.length; i++) out[ids[i]!] = column.values[i]!;
    return out;
  });
}

/** Plain JS reference passes over the typed arrays: DESIGN's "well over 10 million events/s". */
function referencePasses(events: GeneratedEvents): { sumPerSecond: number; keyedSumPerSecond: number; checksum: number } {
  const n = events.length;
  const best = (pass: () => number): { perSecond: number; value: number } => {
    let seconds = Infinity;
    let value = 0;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      value = pass();
      seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    return { perSecond: n / seconds, value };
  };
  const sum = best(() => {
    const amount = events.amount;
    let total = 0;
    for (let i = 0; i < n; i++) total += amount[i]!;
    return total;
  });
  const sums = new Float64Array(events.cardNames.length);
  const keyed = best(() => {
    const amount = events.amount;
    const card = events.card;
    sums.fill(0);
    for (let i = 0; i < n; i++) sums[card[i]!]! += amount[i]!;
    return sums[0]!;
  });
  return { sumPerSecond: sum.perSecond, keyedSumPerSecond: keyed.perSecond, checksum: sum.value + keyed.value };
}

interface StreamResult {
  readonly events: number;
  /** The best of the runs, one event at a time. */
  readonly seconds: number;
  readonly perSecond: number;
  readonly secondsByRun: readonly number[];
  readonly costs: RunCosts;
  readonly rejected: number;
  /** Entities with state, summed over the views. */
  readonly entities: number;
  /** What the engine's state adds, after a GC: JS heap and typed-array storage (MB). */
  readonly stateHeapMB: number;
  readonly stateArrayBuffersMB: number;
  /** The same events through `applyBatch`, `batch` at a time, into a fresh engine: the same state (checked). */
  readonly batched: { readonly batch: number; readonly seconds: number; readonly perSecond: number; readonly secondsByRun: readonly number[]; readonly costs: RunCosts };
  /**
   * The same batches with each batch's objects made inside the clock, just before it is applied,
   * as `tandem stream` decodes each batch from the log: the process then holds one batch of
   * event objects instead of a million, which every full collection would mark.
   */
  readonly batchedLive: { readonly seconds: number; readonly perSecond: number; readonly secondsByRun: readonly number[]; readonly costs: RunCosts };
}

/** SHA-256 of an engine's snapshot: its whole state, watermarks and counters. */
function stateDigest(engine: StreamEngine): string {
  const hash = createHash('sha256');
  for (const line of engine.snapshotLines()) hash.update(line);
  return hash.digest('hex');
}

async function streamApply(events: GeneratedEvents, count: number, batchSize: number, runs: number): Promise<StreamResult> {
  const row = (i: number): Record<string, number | string> => ({
    id: events.id[i]!,
    ts: events.ts[i]!,
    card: events.cardNames[events.card[i]!]!,
    merchant: events.merchantNames[events.merchant[i]!]!,
    country: events.countryNames[events.country[i]!]!,
    amount: events.amount[i]!,
  });
  const rows = new Array<Record<string, number | string>>(count);
  for (let i = 0; i < count; i++) rows[i] = row(i);
  // Twice: the backfill phases leave garbage that one collection does not settle.
  collect();
  collect();
  const before = process.memoryUsage();
  const engine = new StreamEngine(project);
  let rejected = 0;
  const firstRun = streamRun(() => {
    for (let i = 0; i < count; i++) {
      if (engine.apply(transactions.name, rows[i]!).status !== 'applied') rejected++;
    }
  });
  collect();
  collect();
  const after = process.memoryUsage();
  // A use after the measurement, so the events are not collected in it and counted as freed.
  if (rows.length !== count) throw new Error('rows changed');
  const mb = (bytes: number): number => Math.round(bytes / 1_048_576);
  const entities = VIEW_NAMES.reduce((sum, view) => sum + engine.entityCount(view), 0);
  const digest = stateDigest(engine);

  // The same events in micro-batches (made before the clock starts, as the objects were),
  // into a fresh engine: applyBatch applies an entity's events of a batch together.
  const batches: (typeof rows)[] = [];
  for (let i = 0; i < count; i += batchSize) batches.push(rows.slice(i, i + batchSize));
  const timeBatched = (): { run: StreamRun; engine: StreamEngine } => {
    collect();
    const fresh = new StreamEngine(project);
    const run = streamRun(() => {
      for (const batch of batches) fresh.applyBatch(transactions.name, batch);
    });
    return { run, engine: fresh };
  };
  const timeBatchedLive = (): { run: StreamRun; engine: StreamEngine } => {
    collect();
    const fresh = new StreamEngine(project);
    const run = streamRun(() => {
      for (let from = 0; from < count; from += batchSize) {
        const to = Math.min(count, from + batchSize);
        const batch = new Array<Record<string, number | string>>(to - from);
        for (let i = from; i < to; i++) batch[i - from] = row(i);
        fresh.applyBatch(transactions.name, batch);
      }
    });
    return { run, engine: fresh };
  };
  const first = timeBatched();
  if (stateDigest(first.engine) !== digest) throw new Error('applyBatch left another state than apply one event at a time');
  // More rounds, the two ways alternating on fresh engines, so that a slow stretch of a
  // shared machine reaches both; the best of each is reported.
  const oneByOne = [firstRun];
  const batched = [first.run];
  for (let round = 1; round < runs; round++) {
    collect();
    const again = new StreamEngine(project);
    oneByOne.push(
      streamRun(() => {
        for (let i = 0; i < count; i++) again.apply(transactions.name, rows[i]!);
      }),
    );
    batched.push(timeBatched().run);
  }
  // Last, with the million objects let go (the process holds one batch of them at a time):
  // the same batches, each made just before it is applied.
  rows.length = 0;
  batches.length = 0;
  const firstLive = timeBatchedLive();
  if (stateDigest(firstLive.engine) !== digest) throw new Error('applyBatch of batches made in turn left another state than apply one event at a time');
  const batchedLive = [firstLive.run];
  for (let round = 1; round < runs; round++) batchedLive.push(timeBatchedLive().run);
  // V8 delivers the GC entries after the fact.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const seconds = (list: readonly StreamRun[]): number[] => list.map((run) => run.seconds);
  const best = Math.min(...seconds(oneByOne));
  const bestBatched = Math.min(...seconds(batched));
  const bestLive = Math.min(...seconds(batchedLive));
  return {
    events: count,
    seconds: best,
    perSecond: count / best,
    secondsByRun: seconds(oneByOne),
    costs: costsOfBest(oneByOne),
    rejected,
    entities,
    stateHeapMB: mb(after.heapUsed - before.heapUsed),
    stateArrayBuffersMB: mb(after.arrayBuffers - before.arrayBuffers),
    batched: { batch: batchSize, seconds: bestBatched, perSecond: count / bestBatched, secondsByRun: seconds(batched), costs: costsOfBest(batched) },
    batchedLive: { seconds: bestLive, perSecond: count / bestLive, secondsByRun: seconds(batchedLive), costs: costsOfBest(batchedLive) },
  };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

interface Disagreement {
  readonly feature: string;
  readonly id: number;
  readonly tandem: number;
  readonly duckdb: number;
  readonly exact: number;
  readonly windowEvents: number;
  readonly closer: 'tandem' | 'duckdb' | 'tie';
}

async function main(): Promise<void> {
  checkSpecs();
  // Other work on a shared machine skews both sides; the load average is reported with the figures.
  const loadBefore = os.loadavg()[0]!;
  const n = options.events;
  phase(`generating ${n.toLocaleString('en-US')} events (seed ${options.seed})`);
  const generated = await timed(1, () => generateEvents({ events: n, seed: options.seed }));
  const events = generated.result;
  const keys = keyStats(events);
  const spanDays = (Math.max(...events.ts.subarray(-1000)) - Math.min(...events.ts.subarray(0, 1000))) / 86_400_000;
  const memGenerated = memory();
  phase(
    `generated in ${generated.seconds.toFixed(1)}s: ${keys.cards} cards, ${keys.merchants} merchants, ${keys.cardMerchants} card×merchant pairs ` +
      `(${keys.busyCardMerchants} with ≥ 50 events), ${events.ties} exact ties, ${events.boundaryRepeats} window-edge repeats, ${spanDays.toFixed(1)} days`,
  );

  phase('plain JS reference passes over the typed arrays');
  const reference = referencePasses(events);

  // The sides alternate round by round (Tandem on one thread, on two, DuckDB on two, on one),
  // so a change in the machine's speed during the run (other tenants) reaches both sides alike
  // instead of whichever side ran in that stretch. Round 1 also checks the outputs; later
  // rounds only time.
  const backfillOnce = (): ReturnType<typeof backfill> => backfill(project, { views: VIEW_NAMES, events: events.table, spine: 'events' });
  const parallelOnce = (): ReturnType<typeof backfillParallel> => backfillParallel(project, { views: VIEW_NAMES, events: events.table, spine: 'events', threads: 2 });
  phase(`round 1 of ${options.runs}: Tandem backfill of ${VIEW_NAMES.join(', ')} (spine = the events)`);
  const tandem = await timed(1, backfillOnce);
  const memTandem = memory();
  if (tandem.result.rejected.length > 0) throw new Error(`backfill rejected ${tandem.result.rejected.length} events; the generator makes none that should be`);
  const ours = featureColumns(tandem.result.table, n);
  phase(`Tandem backfill: ${tandem.seconds.toFixed(3)}s (${Math.round(n / tandem.seconds).toLocaleString('en-US')} events/s)`);

  phase('Tandem backfillParallel (2 threads, as DuckDB)');
  const parallel = await timed(1, parallelOnce);
  const parallelIdentical = [...tandem.result.table.columns].every(([name, column]) => {
    const other = parallel.result.table.columns.get(name);
    if (other?.type !== column.type || column.type === 'string' || column.type === 'json' || other.type === 'string' || other.type === 'json') return other !== undefined;
    return column.values.every((v, i) => Object.is(v, other.values[i]));
  });
  if (!parallelIdentical) throw new Error('backfillParallel differs from backfill');
  phase(`Tandem backfillParallel: ${parallel.seconds.toFixed(3)}s, identical to the one-thread output`);
  delete (tandem as { result?: unknown }).result;
  delete (parallel as { result?: unknown }).result;

  const streamCount = Math.min(options.streamEvents, n);
  phase(`stream apply of ${streamCount.toLocaleString('en-US')} events as objects`);
  const stream = await streamApply(events, streamCount, options.streamBatch, options.streamRuns);
  // The timed runs' engines are garbage now. Their state lives in shared buffers, which V8
  // does not count towards collecting (ring-arena.ts), so without a collection here this
  // line would show them all.
  collect();
  collect();
  const memStream = memory();
  phase(
    `stream apply: ${stream.seconds.toFixed(3)}s (${Math.round(stream.perSecond).toLocaleString('en-US')} events/s, ${stream.rejected} rejected); ` +
      `state of ${stream.entities.toLocaleString('en-US')} entities: heap +${stream.stateHeapMB} MB, array buffers +${stream.stateArrayBuffersMB} MB; ` +
      `batched (applyBatch, ${stream.batched.batch.toLocaleString('en-US')} a call): ${Math.round(stream.batched.perSecond).toLocaleString('en-US')} events/s, the same state; ` +
      `batches made in turn: ${Math.round(stream.batchedLive.perSecond).toLocaleString('en-US')} events/s`,
  );

  phase('DuckDB: checking that the SQL frame is [t − w, t) on a hand-made example');
  const duck = await openDuckDB();
  await checkFrame(duck.connection, 'bigint');
  await checkFrame(duck.connection, 'timestamp');
  phase(`DuckDB ${duck.version} (${duck.threads} threads): loading events (ts as ${timeEncoding})`);
  const load = await timed(1, () => loadEvents(duck.connection, events, timeEncoding));
  const sql = featureQuery(FEATURE_SPECS.map(toSql), timeEncoding);
  // Thread for thread: the same query with DuckDB limited to one thread, beside the one-thread
  // backfill (the ratio the target is judged by stays DuckDB's default threads against two).
  const duckOnce = async (threads: number): Promise<number> => {
    if (threads !== duck.threads) await duck.connection.run(`SET threads = ${threads}`);
    const { seconds, cpu } = await timed(1, () => duck.connection.run(sql));
    if (threads !== duck.threads) await duck.connection.run(`SET threads = ${duck.threads}`);
    (threads === duck.threads ? cpuTimes.duckdb : cpuTimes.duckdbOne).push(cpu[0]!);
    return seconds;
  };
  const cpuTimes = { tandem: tandem.cpu, parallel: parallel.cpu, duckdb: [] as CpuTime[], duckdbOne: [] as CpuTime[] };
  // Tandem's latest result is kept until Tandem runs again and released just before that run
  // (`BackfillResult.release`: its columns go back to the backfill's memory), as DuckDB keeps
  // its result table until the next query replaces it, in memory its buffer manager keeps. A
  // result merely dropped was freed by the collectors (the workers' too) at some later moment,
  // glibc gave the memory back to the system, and the next run faulted its result columns in
  // again: up to 0.3–1 s of system time a run (bench/README.md, "Fairness notes").
  const latest: { result?: BackfillResult } = {};
  const tandemOnce = async (run: () => BackfillResult | Promise<BackfillResult>): Promise<{ seconds: number; cpu: CpuTime }> => {
    latest.result?.release();
    const { result, seconds, cpu } = await timed(1, run);
    latest.result = result;
    return { seconds, cpu: cpu[0]! };
  };
  const runs = { tandem: tandem.all, parallel: parallel.all, duckdb: [await duckOnce(duck.threads)], duckdbOne: [await duckOnce(1)] };
  phase(`DuckDB compute: ${runs.duckdb[0]!.toFixed(3)}s, on one thread ${runs.duckdbOne[0]!.toFixed(3)}s`);
  for (let round = 2; round <= options.runs; round++) {
    const one = await tandemOnce(backfillOnce);
    runs.tandem.push(one.seconds);
    cpuTimes.tandem.push(one.cpu);
    const two = await tandemOnce(parallelOnce);
    runs.parallel.push(two.seconds);
    cpuTimes.parallel.push(two.cpu);
    runs.duckdb.push(await duckOnce(duck.threads));
    runs.duckdbOne.push(await duckOnce(1));
    phase(
      `round ${round} of ${options.runs}: Tandem ${runs.tandem.at(-1)!.toFixed(3)}s, 2 threads ${runs.parallel.at(-1)!.toFixed(3)}s ` +
        `(CPU ${two.cpu.user.toFixed(2)} user + ${two.cpu.system.toFixed(2)} system); ` +
        `DuckDB ${runs.duckdb.at(-1)!.toFixed(3)}s, 1 thread ${runs.duckdbOne.at(-1)!.toFixed(3)}s`,
    );
  }
  const best = { tandem: Math.min(...runs.tandem), parallel: Math.min(...runs.parallel), duckdb: Math.min(...runs.duckdb), duckdbOne: Math.min(...runs.duckdbOne) };
  // Each round's own ratio: both sides timed minutes apart at most.
  const rounds = runs.duckdb.map((seconds, r) => seconds / runs.parallel[r]!);
  latest.result?.release();
  delete latest.result;
  phase('DuckDB: reading the result back');
  const read = await timed(1, () => readResult(duck.connection, FEATURE_NAMES, n));
  const theirs = read.result;
  const memDuck = memory();
  duck.close();

  phase('comparing every value');
  const agreement: Agreement[] = FEATURE_NAMES.map((name, f) => compareColumns(name, ours[f]!, theirs[f]!, TOLERANCE));
  const disagreements: Disagreement[] = [];
  for (const [f, a] of agreement.entries()) {
    for (const id of a.worstRows.slice(0, 3)) {
      const exact = bruteForce(events, FEATURE_SPECS[f]!, id);
      const t = ours[f]![id]!;
      const d = theirs[f]![id]!;
      const off = (v: number): number => (Number.isNaN(v) || Number.isNaN(exact.value) ? (Number.isNaN(v) === Number.isNaN(exact.value) ? 0 : Infinity) : relativeDifference(v, exact.value));
      const closer = off(t) < off(d) ? 'tandem' : off(d) < off(t) ? 'duckdb' : 'tie';
      disagreements.push({ feature: a.feature, id, tandem: t, duckdb: d, exact: exact.value, windowEvents: exact.window.length, closer });
    }
  }
  // A third, independent witness: exact brute force on random rows, against both sides.
  phase(`spot checks: ${options.spotChecks} random rows × ${FEATURE_NAMES.length} features brute-forced exactly`);
  const pickRow = prng(options.seed ^ 0x5eed);
  const spot = { values: 0, tandemOff: 0, duckdbOff: 0 };
  const offExact = (v: number, exact: number): boolean =>
    Number.isNaN(v) || Number.isNaN(exact) ? Number.isNaN(v) !== Number.isNaN(exact) : relativeDifference(v, exact) > TOLERANCE;
  for (let s = 0; s < options.spotChecks; s++) {
    const id = Math.floor(pickRow() * n);
    for (const [f, spec] of FEATURE_SPECS.entries()) {
      const exact = bruteForce(events, spec, id).value;
      spot.values++;
      if (offExact(ours[f]![id]!, exact)) spot.tandemOff++;
      if (offExact(theirs[f]![id]!, exact)) spot.duckdbOff++;
    }
  }
  const pass = agreement.every((a) => a.nullMismatches === 0 && a.overTolerance === 0) && spot.tandemOff === 0;

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpuModel(),
      cores: os.availableParallelism(),
      node: process.version,
      duckdb: duck.version,
      duckdbThreads: duck.threads,
      loadAverage1m: { before: loadBefore, after: os.loadavg()[0]! },
    },
    data: {
      events: n,
      seed: options.seed,
      spanDays: Number(spanDays.toFixed(1)),
      keys,
      exactTies: events.ties,
      windowEdgeRepeats: events.boundaryRepeats,
      features: FEATURE_NAMES.length,
      generateSeconds: generated.seconds,
    },
    tandem: {
      backfillSeconds: best.tandem,
      runs: runs.tandem,
      eventsPerSecond: n / best.tandem,
      parallelSeconds: best.parallel,
      parallelRuns: runs.parallel,
      cpu: cpuTimes.tandem,
      parallelCpu: cpuTimes.parallel,
    },
    runs: options.runs,
    duckdb: {
      timeEncoding,
      loadSeconds: load.seconds,
      computeSeconds: best.duckdb,
      runs: runs.duckdb,
      oneThreadComputeSeconds: best.duckdbOne,
      oneThreadRuns: runs.duckdbOne,
      cpu: cpuTimes.duckdb,
      oneThreadCpu: cpuTimes.duckdbOne,
      readBackSeconds: read.seconds,
      eventsPerSecond: n / best.duckdb,
    },
    speedup: best.duckdb / best.tandem,
    speedupIncludingReadBack: (best.duckdb + read.seconds) / best.tandem,
    speedupParallel: best.duckdb / best.parallel,
    speedupParallelByRound: rounds,
    speedupOneThreadEach: best.duckdbOne / best.tandem,
    stream,
    reference: { sumEventsPerSecond: reference.sumPerSecond, keyedSumEventsPerSecond: reference.keyedSumPerSecond },
    memory: { afterGenerate: memGenerated, afterTandemBackfill: memTandem, afterStream: memStream, afterDuckDB: memDuck },
    tolerance: TOLERANCE,
    agreement,
    disagreements,
    spotChecks: spot,
    pass,
  };

  if (options.save !== undefined) writeFileSync(options.save, `${JSON.stringify(results, null, 2)}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    printReport(results);
  }
  if (!pass) {
    process.stderr.write(`\nFAIL: Tandem and DuckDB disagree (tolerance ${TOLERANCE} relative, nulls must match); see the disagreements above.\n`);
    process.exitCode = 1;
  }
  // Keep the checksum alive so the reference loops cannot be optimised away.
  if (Number.isNaN(reference.checksum)) process.stderr.write('reference checksum is NaN\n');
}

type Results = {
  machine: { cpu: string; cores: number; node: string; duckdb: string; duckdbThreads: number; loadAverage1m: { before: number; after: number } };
  data: { events: number; spanDays: number; keys: ReturnType<typeof keyStats>; exactTies: number; windowEdgeRepeats: number; features: number };
  tandem: {
    backfillSeconds: number;
    eventsPerSecond: number;
    runs: readonly number[];
    parallelSeconds: number;
    parallelRuns: readonly number[];
    cpu: readonly CpuTime[];
    parallelCpu: readonly CpuTime[];
  };
  duckdb: {
    timeEncoding: string;
    loadSeconds: number;
    computeSeconds: number;
    readBackSeconds: number;
    eventsPerSecond: number;
    runs: readonly number[];
    oneThreadComputeSeconds: number;
    oneThreadRuns: readonly number[];
    cpu: readonly CpuTime[];
    oneThreadCpu: readonly CpuTime[];
  };
  speedup: number;
  speedupOneThreadEach: number;
  speedupIncludingReadBack: number;
  speedupParallel: number;
  speedupParallelByRound: readonly number[];
  stream: StreamResult;
  reference: { sumEventsPerSecond: number; keyedSumEventsPerSecond: number };
  memory: Record<string, MemorySample>;
  agreement: readonly Agreement[];
  disagreements: readonly Disagreement[];
  spotChecks: { values: number; tandemOff: number; duckdbOff: number };
  pass: boolean;
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printReport(r: Results): void {
  const int = (v: number): string => Math.round(v).toLocaleString('en-US');
  const costsText = (c: RunCosts): string =>
    `in the best run: GC pauses ${c.gcSeconds.toFixed(2)} s (full collections ${c.fullGcSeconds.toFixed(2)} s), kernel CPU ${c.systemSeconds.toFixed(2)} s (mostly the new state's page faults)`;
  const sec = (v: number): string => `${v.toFixed(3)} s`;
  const best = (runs: readonly number[]): string => (runs.length > 1 ? `; best of ${runs.map((v) => v.toFixed(2)).join(' / ')} s` : '');
  const rows: [string, string][] = [
    ['machine', `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, DuckDB ${r.machine.duckdb} (${r.machine.duckdbThreads} threads)`],
    ['load average', `${r.machine.loadAverage1m.before.toFixed(2)} before, ${r.machine.loadAverage1m.after.toFixed(2)} after (1 min; other work skews the figures)`],
    ['events', `${int(r.data.events)} over ${r.data.spanDays} days, ${r.data.features} features in 3 views`],
    ['keys', `card ${int(r.data.keys.cards)}, merchant ${int(r.data.keys.merchants)}, card×merchant ${int(r.data.keys.cardMerchants)} (${int(r.data.keys.busyCardMerchants)} with ≥ 50 events)`],
    ['edge cases', `${int(r.data.exactTies)} exact-time ties, ${int(r.data.windowEdgeRepeats)} events exactly 1h/24h/7d after another`],
    ['Tandem backfill', `${sec(r.tandem.backfillSeconds)}  (${int(r.tandem.eventsPerSecond)} events/s, 1 thread${best(r.tandem.runs)})`],
    ['DuckDB compute', `${sec(r.duckdb.computeSeconds)}  (${int(r.duckdb.eventsPerSecond)} events/s, ${r.machine.duckdbThreads} threads, ts as ${r.duckdb.timeEncoding}${best(r.duckdb.runs)})`],
    ['DuckDB on 1 thread', `${sec(r.duckdb.oneThreadComputeSeconds)}  (the same query with SET threads = 1${best(r.duckdb.oneThreadRuns)})`],
    ['DuckDB read-back', `${sec(r.duckdb.readBackSeconds)}  (result into typed arrays; not in the ratio)`],
    ['DuckDB load', `${sec(r.duckdb.loadSeconds)}  (not in the ratio)`],
    ['Tandem, 2 threads', `${sec(r.tandem.parallelSeconds)}  (${int(r.data.events / r.tandem.parallelSeconds)} events/s, backfillParallel, identical output${best(r.tandem.parallelRuns)})`],
    [
      'DuckDB / Tandem',
      `${r.speedupParallel.toFixed(1)}× with 2 threads each (target ≥ 10×); ${r.speedupOneThreadEach.toFixed(1)}× with 1 thread each; ` +
        `${r.speedup.toFixed(1)}× Tandem's 1 thread against DuckDB's ${r.machine.duckdbThreads} (${r.speedupIncludingReadBack.toFixed(1)}× counting DuckDB's read-back)`,
    ],
    [
      'CPU of the best runs',
      (
        [
          ['Tandem 2 threads', cpuOfBest(r.tandem.parallelRuns, r.tandem.parallelCpu)],
          ['1 thread', cpuOfBest(r.tandem.runs, r.tandem.cpu)],
          ['DuckDB 2 threads', cpuOfBest(r.duckdb.runs, r.duckdb.cpu)],
          ['1 thread', cpuOfBest(r.duckdb.oneThreadRuns, r.duckdb.oneThreadCpu)],
        ] as const
      )
        .map(([name, c]) => `${name} ${(c.user + c.system).toFixed(2)} s (system ${c.system.toFixed(2)})`)
        .join(', '),
    ],
    ...(r.speedupParallelByRound.length > 1
      ? [['by round', `${r.speedupParallelByRound.map((v) => `${v.toFixed(1)}×`).join(' / ')} with 2 threads each (median ${median(r.speedupParallelByRound).toFixed(1)}×; round 1 includes compiling)`] as [string, string]]
      : []),
    ['stream apply', `${int(r.stream.perSecond)} events/s  (${int(r.stream.events)} events as objects, one at a time, ${r.stream.rejected} rejected; best of ${r.stream.secondsByRun.map((x) => x.toFixed(2)).join(' / ')} s)`],
    ['', `  ${costsText(r.stream.costs)}`],
    ['stream apply, batched', `${int(r.stream.batched.perSecond)} events/s  (applyBatch, ${int(r.stream.batched.batch)} events a call, the same state, checked; best of ${r.stream.batched.secondsByRun.map((x) => x.toFixed(2)).join(' / ')} s; target ≥ 1,000,000: the path of tandem stream)`],
    ['', `  ${costsText(r.stream.batched.costs)}`],
    ['  batches made in turn', `${int(r.stream.batchedLive.perSecond)} events/s  (each batch's objects made inside the clock just before it, as a stream decodes them; the same state, checked; best of ${r.stream.batchedLive.secondsByRun.map((x) => x.toFixed(2)).join(' / ')} s)`],
    ['', `  ${costsText(r.stream.batchedLive.costs)}`],
    ['stream state', `${int(r.stream.entities)} entities: heap +${r.stream.stateHeapMB} MB, array buffers +${r.stream.stateArrayBuffersMB} MB (after a GC)`],
    ['plain JS pass', `${int(r.reference.sumEventsPerSecond)} events/s summing amounts; ${int(r.reference.keyedSumEventsPerSecond)} events/s summing per card`],
  ];
  for (const [phaseName, m] of Object.entries(r.memory)) {
    rows.push([`memory ${phaseName}`, `maxRSS ${m.maxRssMB} MB, heap used ${m.heapUsedMB} MB, array buffers ${m.arrayBuffersMB} MB (${m.backfillArenaMB} MB of them idle in the backfill arenas)`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const out: string[] = ['', ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), ''];
  const header = ['feature', 'max |Δ|', 'max rel Δ', 'null ≠', `> ${TOLERANCE}`, 'empty'];
  const table = r.agreement.map((a) => [a.feature, a.maxAbsDiff.toExponential(2), a.maxRelDiff.toExponential(2), String(a.nullMismatches), String(a.overTolerance), int(a.bothNull)]);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  out.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line), '');
  if (r.disagreements.length > 0) {
    out.push('worst disagreements (exact = brute force over the window in whole cents):');
    for (const d of r.disagreements) {
      out.push(`  ${d.feature} id ${d.id}: tandem ${d.tandem}, duckdb ${d.duckdb}, exact ${d.exact} (${d.windowEvents} events in window) → ${d.closer} is closer`);
    }
    out.push('');
  }
  out.push(
    `spot checks against exact brute force: ${r.spotChecks.values} values, Tandem off on ${r.spotChecks.tandemOff}, DuckDB off on ${r.spotChecks.duckdbOff}`,
    '',
  );
  out.push(r.pass ? 'PASS: every value agrees (relative difference ≤ 1e-9, nulls identical).' : 'FAIL: values disagree.');
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
