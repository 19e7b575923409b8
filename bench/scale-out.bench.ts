/**
 * Scale-out, with real processes on 127.0.0.1 (the CLI from the sources, Redis, NATS
 * JetStream, PostgreSQL for the registry); each figure is a ratio against a baseline measured in
 * the same run:
 *
 * 1. stream workers, 1 vs 2, draining partition logs preloaded by `tandem ingest --partitions`
 *    (fresh namespace and streams for every run);
 * 2. HTTP ingestion on stateless replicas, 1 vs 2 (the load split between them);
 * 3. predictions on replicas, 1 vs 2, from a model trained once into a PostgreSQL schema;
 * 4. reads from Redis (a replica) against the embedded state of a plain `tandem serve` holding
 *    the same events.
 *
 * Run: npm run bench:scale-out (BENCH_EVENTS payments, default 200,000; BENCH_SECONDS per load,
 * default 5; BENCH_ROUNDS of the stream comparison, default 1). Names are unique to the run and
 * removed at the end: the JetStream streams, the Redis namespaces, the PostgreSQL schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { generateTransactions } from '../src/demo/transactions.js';
import { tableToRows, writeTable } from '../src/io/index.js';
import { pidsNamed, processCpu } from './scale-out/cpu.js';
import { load, type LoadResult, type LoadTarget } from './scale-out/load.js';
import { killAll, runTandem, startServer, tandemEnv, type TandemProcess } from './scale-out/processes.js';
import { BenchResources, SERVERS, type Deployment } from './scale-out/resources.js';
import { drain, type DrainResult } from './scale-out/stream-drain.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
const TRAIN_EVENTS = 50_000;
const PARTITIONS = 8;
const CONNECTIONS = 32;
const BATCH = 100;
const CONFIG = 'bench/predict-project.ts';

const say = (message: string): void => void process.stderr.write(`${message}\n`);
const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(1));

const resources = new BenchResources(PARTITIONS);
const dir = await mkdtemp(join(tmpdir(), 'tandem-scale-out-bench-'));
const nats = await connect({ servers: SERVERS.nats });
const servers: TandemProcess[] = [];
let cleaned: Promise<void> | undefined;
const cleanUp = (): Promise<void> =>
  (cleaned ??= (async () => {
    await Promise.all(servers.map((s) => s.stop()));
    killAll();
    await nats.close();
    await resources.remove();
    await rm(dir, { recursive: true, force: true });
  })());
process.once('SIGINT', () => {
  killAll();
  void cleanUp().finally(() => process.exit(130));
});

const registry = { TANDEM_REGISTRY_URL: SERVERS.postgres, TANDEM_REGISTRY_SCHEMA: resources.schema };
const sharedEnv = (d: Deployment): NodeJS.ProcessEnv =>
  tandemEnv({ ...registry, TANDEM_ONLINE_URL: SERVERS.redis, TANDEM_LOG_URL: SERVERS.nats, TANDEM_ONLINE_NAMESPACE: d.namespace, TANDEM_LOG_STREAM_PREFIX: d.streamPrefix });

interface Measured extends LoadResult {
  /** CPU seconds per second the servers under load used. */
  readonly serverCores: number;
}

interface StreamRun extends DrainResult {
  readonly workers: number;
  readonly ingestPerSecond: number;
  readonly deployment: Deployment;
}

/** The log holds an event once per partition its entities fall in: records/s in payments/s. */
const paymentsPerSecond = (run: DrainResult): number => (run.recordsPerSecond * EVENTS) / run.records;

/** Fill fresh partition logs with `tandem ingest --partitions`, then drain them with `workers` stream workers. */
async function streamRun(workers: number, label: string, events: string): Promise<StreamRun> {
  const deployment = resources.deployment(label);
  const env = sharedEnv(deployment);
  const out = await runTandem(['ingest', '--config', CONFIG, '--partitions', String(PARTITIONS), '--source', 'payments', '--data-dir', join(dir, label), events], env, 600_000);
  // The command's own time, from loading the project to the last acknowledged append.
  const seconds = Number(/ in ([\d.]+) s:/.exec(out)?.[1]);
  const drained = await drain({
    nats,
    deployment,
    partitions: PARTITIONS,
    workers,
    env,
    args: (i) => ['stream', '--config', CONFIG, '--partitions', String(PARTITIONS), '--data-dir', join(dir, `${label}-w${i}`)],
    timeoutMs: 600_000,
  });
  const run = { ...drained, workers, ingestPerSecond: EVENTS / seconds, deployment };
  say(
    `  ${workers} worker(s): ${count(paymentsPerSecond(run))} payments/s (${count(run.recordsPerSecond)} log records/s) over ${run.seconds.toFixed(2)} s, ` +
      `${run.secondsFromStart.toFixed(2)} s from starting the processes; applied ${run.appliedByWorker.map(count).join(' + ')} of ${count(run.records)} records; ` +
      `ingest ${count(run.ingestPerSecond)} events/s${run.leaseLosses > 0 ? `; ${run.leaseLosses} lost leases reported` : ''}\n` +
      `    cores used over those ${run.seconds.toFixed(2)} s: worker(s) ${(run.cpu.workers / run.seconds).toFixed(2)}, Redis ${(run.cpu.redis / run.seconds).toFixed(2)}, ` +
      `NATS ${(run.cpu.nats / run.seconds).toFixed(2)}; all cores ${Math.round((run.cpu.machine / (run.seconds * availableParallelism())) * 100)} % busy`,
  );
  return run;
}

try {
  say(`scale-out benchmark ${resources.id}: ${count(EVENTS)} payments, ${PARTITIONS} partitions, load average ${loadavg()[0]!.toFixed(2)}`);
  const table = generateTransactions({ events: EVENTS, cards: 20_000, merchants: 400, days: 30 });
  const eventsFile = join(dir, 'payments.csv');
  await writeTable(table, eventsFile);
  const trainFile = join(dir, 'train.csv');
  await writeTable(generateTransactions({ events: TRAIN_EVENTS, cards: 2_000, merchants: 200, days: 30, seed: 11 }), trainFile);
  say(`training the model (200-tree GBDT on ${count(TRAIN_EVENTS)} payments) into schema ${resources.schema}`);
  await runTandem(['train', '--config', CONFIG, '--model', 'fraud', '--events', trainFile, '--data-dir', join(dir, 'train')], tandemEnv(registry), 600_000);

  // 1. Stream workers, alternating 1 and 2 so both see the same machine as far as possible.
  say('stream: tandem ingest --partitions, then 1 or 2 × tandem stream --partitions until every checkpoint reaches its log end');
  const runs: StreamRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const workers of round % 2 === 0 ? [1, 2] : [2, 1]) {
      // Every run starts from the same Redis and NATS: only the last run's state stays, for serving.
      if (runs.length > 0) await resources.removeDeployment(runs.at(-1)!.deployment);
      runs.push(await streamRun(workers, `s${runs.length}`, eventsFile));
    }
  }

  // 2–4. Serving: two replicas over the last drained state, and a plain tandem serve holding the same events.
  const state = runs.at(-1)!.deployment;
  const replicaArgs = (name: string): string[] => ['serve', '--config', CONFIG, '--partitions', String(PARTITIONS), '--port', '0', '--reload-interval', '0', '--no-jobs', '--data-dir', join(dir, name)];
  const embeddedDir = join(dir, 'embedded');
  await runTandem(['ingest', '--config', CONFIG, '--source', 'payments', '--data-dir', embeddedDir, eventsFile], tandemEnv(registry), 600_000);
  say('starting 2 replicas and the embedded server');
  const started = await Promise.all([
    startServer(replicaArgs('replica-a'), sharedEnv(state)),
    startServer(replicaArgs('replica-b'), sharedEnv(state)),
    startServer(['serve', '--config', CONFIG, '--port', '0', '--reload-interval', '0', '--no-jobs', '--data-dir', embeddedDir], tandemEnv(registry)),
  ]);
  servers.push(...started.map((s) => s.server));
  const [a, b, embedded] = started.map((s) => s.url) as [string, string, string];

  const rows = tableToRows(table);
  const at = (rows.at(-1)!['ts'] as number) + 1;
  const sample = Array.from({ length: 1_000 }, (_, i) => rows[(i * 7_919) % rows.length]!);
  const ingestBodies = Array.from({ length: Math.min(500, Math.floor(rows.length / BATCH)) }, (_, i) => JSON.stringify(rows.slice(i * BATCH, (i + 1) * BATCH).map((row) => ({ ...row, is_fraud: null }))));
  const predictBodies = sample.map((row) => JSON.stringify({ card: row['card'], merchant: row['merchant'], amount: row['amount'], at }));
  const featurePaths = sample.map((row) => `/v1/features/by_card?key=${String(row['card'])}&at=${at}`);
  const ingest = (url: string): LoadTarget => ({ url: `${url}/v1/events/payments`, method: 'POST', bodies: ingestBodies });
  const predict = (url: string): LoadTarget => ({ url: `${url}/v1/predict/fraud`, method: 'POST', bodies: predictBodies });
  const features = (url: string): LoadTarget => ({ url, paths: featurePaths });

  // The replica and the embedded server must answer alike, or the read comparison means nothing.
  let differ = 0;
  for (const path of featurePaths.slice(0, 50)) {
    const [x, y] = await Promise.all([a, embedded].map(async (url) => JSON.stringify(((await (await fetch(url + path)).json()) as { results: unknown[] }).results)));
    if (x !== y) differ++;
  }
  if (differ > 0) say(`WARNING: ${differ} of 50 feature reads differ between the replica (Redis) and the embedded server`);

  say('warming up');
  for (const target of [predict(a), predict(b), predict(embedded), features(a), features(embedded)]) await load({ targets: [target], connections: 8, seconds: 1 });
  // CPU of the servers under load, Redis and NATS, in cores (CPU seconds per second of load).
  const processOf = new Map(started.map((s) => [s.url, s.server]));
  const [redis, natsServer] = [pidsNamed('redis-server'), pidsNamed('nats-server')];
  const cpuOf = (pids: readonly number[]): number => pids.reduce((n, pid) => n + processCpu(pid), 0);
  const measure = async (name: string, targets: LoadTarget[], connections = CONNECTIONS): Promise<Measured> => {
    const watched = [...new Set(targets.map((t) => processOf.get(new URL(t.url).origin)!.pid))];
    const before = [cpuOf(watched), cpuOf(redis), cpuOf(natsServer)] as const;
    const result = await load({ targets, connections, seconds: SECONDS });
    const [servers, redisCores, natsCores] = [cpuOf(watched), cpuOf(redis), cpuOf(natsServer)].map((cpu, i) => (cpu - before[i]!) / result.seconds) as [number, number, number];
    say(
      `  ${name}: ${count(result.perSecond)}/s, p50 ${ms(result.p50Ms)} ms, p99 ${ms(result.p99Ms)} ms${result.failed > 0 ? `, ${count(result.failed)} failed` : ''}; ` +
        `cores used: server(s) ${servers.toFixed(2)}, Redis ${redisCores.toFixed(2)}, NATS ${natsCores.toFixed(2)}, load client ${result.clientCores.toFixed(2)}; all cores ${Math.round(result.machineBusy * 100)} % busy`,
    );
    return { ...result, serverCores: servers };
  };
  say(`HTTP, ${SECONDS} s per measurement`);
  const ingest1 = await measure('ingest, 1 replica', [ingest(a)]);
  const ingest2 = await measure('ingest, 2 replicas', [ingest(a), ingest(b)]);
  const predict1 = await measure('predict, 1 replica', [predict(a)]);
  const predict2 = await measure('predict, 2 replicas', [predict(a), predict(b)]);
  const readEmbedded1 = await measure('features, embedded, 1 connection', [features(embedded)], 1);
  const readRedis1 = await measure('features, replica, 1 connection', [features(a)], 1);
  const readEmbedded = await measure('features, embedded', [features(embedded)]);
  const readRedis = await measure('features, replica', [features(a)]);
  const predictEmbedded1 = await measure('predict, embedded, 1 connection', [predict(embedded)], 1);
  const predictRedis1 = await measure('predict, replica, 1 connection', [predict(a)], 1);

  // The table.
  const latency = (r: LoadResult): string => `p50 ${ms(r.p50Ms)} · p99 ${ms(r.p99Ms)} ms`;
  const rate = (r: Measured, unit = 1): string => `${count(r.perSecond * unit)}/s · ${latency(r)} · server(s) on ${r.serverCores.toFixed(2)} cores${r.failed > 0 ? ` · ${count(r.failed)} failed` : ''}`;
  const ratio = (x: number, base: number): string => `${(x / base).toFixed(2)}×`;
  const lines: [string, string, string, string][] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const [one, two] = runs[i]!.workers === 1 ? [runs[i]!, runs[i + 1]!] : [runs[i + 1]!, runs[i]!];
    const perSecond = (r: StreamRun): string =>
      `${count(paymentsPerSecond(r))} payments/s · worker(s) on ${(r.cpu.workers / r.seconds).toFixed(2)} cores · drained ${r.secondsFromStart.toFixed(1)} s after start${r.leaseLosses > 0 ? ` · ${r.leaseLosses} leases lost` : ''}`;
    lines.push(['stream workers: payments applied/s, 1 vs 2 workers', perSecond(one), perSecond(two), ratio(paymentsPerSecond(two), paymentsPerSecond(one))]);
    lines.push([`\`tandem ingest --partitions ${PARTITIONS}\` of the file before each run above, events/s`, count(one.ingestPerSecond), count(two.ingestPerSecond), '–']);
  }
  lines.push([`HTTP ingest, events/s acknowledged (${BATCH}/POST, ${CONNECTIONS} connections), 1 vs 2 replicas`, rate(ingest1, BATCH), rate(ingest2, BATCH), ratio(ingest2.perSecond, ingest1.perSecond)]);
  lines.push([`POST /v1/predict (200-tree GBDT), req/s, ${CONNECTIONS} connections, 1 vs 2 replicas`, rate(predict1), rate(predict2), ratio(predict2.perSecond, predict1.perSecond)]);
  lines.push(['GET /v1/features/by_card, 1 connection, embedded vs replica (Redis)', latency(readEmbedded1), latency(readRedis1), `p50 ${ratio(readRedis1.p50Ms, readEmbedded1.p50Ms)}, p99 ${ratio(readRedis1.p99Ms, readEmbedded1.p99Ms)}`]);
  lines.push([`GET /v1/features/by_card, ${CONNECTIONS} connections, embedded vs replica (Redis)`, rate(readEmbedded), rate(readRedis), ratio(readRedis.perSecond, readEmbedded.perSecond)]);
  lines.push(['POST /v1/predict, 1 connection, embedded vs replica (Redis)', latency(predictEmbedded1), latency(predictRedis1), `p50 ${ratio(predictRedis1.p50Ms, predictEmbedded1.p50Ms)}, p99 ${ratio(predictRedis1.p99Ms, predictEmbedded1.p99Ms)}`]);
  console.log(`\n${count(EVENTS)} payments, ${PARTITIONS} partitions, 2 replicas + 1 embedded server; load average ${loadavg()[0]!.toFixed(2)} at the end\n`);
  console.log('| figure | baseline | scaled out / compared | ratio |\n| --- | --- | --- | --- |');
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
  if (differ > 0) console.log(`\n${differ} of 50 feature reads differed between the replica and the embedded server.`);
} finally {
  await cleanUp();
}
