/**
 * The online path, measured on 127.0.0.1: durable HTTP ingestion (events/s), feature reads over
 * HTTP (requests/s, latency) against a bare Node HTTP server answering a fixed JSON in the same
 * run, and in-process reads (p50/p99). Run: npm run bench:serve
 */
import autocannon from 'autocannon';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../src/config/load-project.js';
import { PiiProtector } from '../src/ingest/index.js';
import { buildApp } from '../src/server/app.js';
import { OnlineRuntime } from '../src/server/online-runtime.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CARDS = 10_000;
const BATCH = 100;

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((done, fail) => {
    autocannon({ ...options, duration: SECONDS }, (error, result) => (error ? fail(error) : done(result)));
  });
}

const dir = await mkdtemp(join(tmpdir(), 'tandem-serve-bench-'));
const runtime = await OnlineRuntime.start(await loadProject('test/fixtures/payments.config.ts'), { dataDir: dir, pii: new PiiProtector(undefined) });
const app = buildApp(runtime, { maxInFlight: 256 });
await app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

try {
  // Durable ingestion: batches of 100 events per POST, 32 connections.
  let t = Date.now() - 7 * 86_400_000;
  const body = (): string =>
    JSON.stringify(
      Array.from({ length: BATCH }, (_, i) => ({
        ts: (t += 7),
        card: `card${(i * 7919 + t) % CARDS}`,
        merchant: `m${i % 50}`,
        amount: 10 + (i % 90),
        country: 'US',
      })),
    );
  const ingest = await run({ url: `${url}/v1/events/payments`, method: 'POST', connections: 32, headers: { 'content-type': 'application/json' }, requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }] });
  await runtime.catchUp();
  const events = runtime.processor!.engine.appliedCount;
  console.log(`HTTP ingest (fsync, ${BATCH} events/request, 32 connections): ${Math.round(ingest.requests.average * BATCH).toLocaleString('en-US')} events/s acknowledged; p50 ${ingest.latency.p50} ms, p99 ${ingest.latency.p99} ms; ${ingest.non2xx} non-2xx; ${events.toLocaleString('en-US')} events applied`);

  // Feature reads over HTTP, against a bare server answering a fixed JSON.
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"view":"by_card","results":[{"key":"card1","values":{"n_1h":1}}]}');
  });
  await new Promise<void>((done) => bare.listen(0, '127.0.0.1', done));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  const baseline = await run({ url: `${bareUrl}/`, connections: 32 });
  bare.close();
  let k = 0;
  const reads = await run({ url, connections: 32, requests: [{ setupRequest: (req) => ({ ...req, path: `/v1/features/by_card?key=card${(k = (k + 7919) % CARDS)}` }) }] });
  console.log(`HTTP read GET /v1/features/by_card (32 connections): ${Math.round(reads.requests.average).toLocaleString('en-US')} req/s, p50 ${reads.latency.p50} ms, p99 ${reads.latency.p99} ms; bare Node server: ${Math.round(baseline.requests.average).toLocaleString('en-US')} req/s, p99 ${baseline.latency.p99} ms (ratio ${(reads.requests.average / baseline.requests.average).toFixed(2)})`);

  // In-process reads.
  const engine = runtime.processor!.engine;
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const key = `card${(i * 7919) % CARDS}`;
    const t0 = process.hrtime.bigint();
    engine.read('by_card', key);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1_000;
  }
  samples.sort();
  console.log(`in-process read (by_card, 4 features): p50 ${samples[50_000]!.toFixed(1)} µs, p99 ${samples[99_000]!.toFixed(1)} µs`);
} finally {
  await app.close();
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
}
