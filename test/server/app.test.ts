import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { buildApp } from '../../src/server/app.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import { decodeDeadLetter, PiiProtector } from '../../src/ingest/index.js';
import { FileEventLog } from '../../src/log/index.js';

const CONFIG = 'test/fixtures/payments.config.ts';
let dir: string;
let runtime: OnlineRuntime;
let app: ReturnType<typeof buildApp>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-serve-'));
  runtime = await OnlineRuntime.start(await loadProject(CONFIG), { dataDir: dir, pii: new PiiProtector(undefined) });
  app = buildApp(runtime, { bodyLimit: 64 * 1024 });
});
afterEach(async () => {
  await app.close();
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
});

const now = Date.now();
const payment = (minutesAgo: number, card: string, amount: number) => ({
  ts: new Date(now - minutesAgo * 60_000).toISOString(),
  card,
  merchant: 'm1',
  amount,
  country: 'US',
});

describe('the HTTP surface', () => {
  it('ingests a JSON array and serves the features as of now, with freshness', async () => {
    const post = await app.inject({ method: 'POST', url: '/v1/events/payments', payload: [payment(30, 'c1', 10), payment(20, 'c1', 30), { card: 'c2' }] });
    expect(post.statusCode).toBe(200);
    expect(post.json()).toMatchObject({ accepted: 2, rejected: 1, offsets: { first: 0, last: 1 }, reasons: [{ reason: "field 'ts' is missing", count: 1 }] });
    await runtime.catchUp();
    const get = await app.inject({ method: 'GET', url: `/v1/features/by_card?key=c1&key=nobody&at=${now}` });
    expect(get.statusCode).toBe(200);
    const body = get.json() as { results: { key: string; values: Record<string, unknown>; freshnessMs: number | null }[] };
    expect(body.results[0]).toMatchObject({ key: 'c1', values: { n_1h: 2, avg_1d: 20, last_country: 'US' }, freshnessMs: 20 * 60_000 });
    expect(body.results[1]).toMatchObject({ key: 'nobody', values: { n_1h: 0, avg_1d: null }, freshnessMs: null });
  });

  it('computes request-time features from a POSTed request and the views it reads', async () => {
    await app.inject({ method: 'POST', url: '/v1/events/payments', payload: [payment(30, 'c5', 10), payment(20, 'c5', 30)] });
    await runtime.catchUp();
    const response = await app.inject({ method: 'POST', url: '/v1/features/payment_request', payload: [{ card: 'c5', amount: 40, at: now }, { card: 'new', amount: 1, at: now }] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'payment_request', results: [{ values: { vs_avg: 2 } }, { values: { vs_avg: null } }] });
    expect((await app.inject({ method: 'POST', url: '/v1/features/by_card', payload: {} })).statusCode).toBe(404);
  });

  it('takes NDJSON, keeping a line that is not JSON as a dead letter with its line number', async () => {
    const body = `${JSON.stringify(payment(5, 'c3', 1))}\n{not json\n${JSON.stringify(payment(4, 'c3', 2))}\n`;
    const post = await app.inject({ method: 'POST', url: '/v1/events/payments', headers: { 'content-type': 'application/x-ndjson' }, payload: body });
    expect(post.json()).toMatchObject({ accepted: 2, rejected: 1, reasons: [{ reason: 'line 2 is not valid JSON', count: 1 }] });
  });

  it('answers bad requests with a 4xx that names the problem, and keeps serving', async () => {
    const badJson = await app.inject({ method: 'POST', url: '/v1/events/payments', headers: { 'content-type': 'application/json' }, payload: '{"ts": ' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ error: { code: 'TANDEM_BAD_REQUEST' } });
    const unknownSource = await app.inject({ method: 'POST', url: '/v1/events/nope', payload: [] });
    expect(unknownSource.statusCode).toBe(404);
    expect(unknownSource.json()).toMatchObject({ error: { code: 'TANDEM_UNKNOWN_SOURCE', message: expect.stringContaining("unknown source 'nope'") } });
    const tooLarge = await app.inject({ method: 'POST', url: '/v1/events/payments', payload: Array.from({ length: 2_000 }, () => payment(1, 'c', 1)) });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ error: { code: 'TANDEM_BODY_TOO_LARGE' } });
    const unknownView = await app.inject({ method: 'GET', url: '/v1/features/nope?key=a' });
    expect(unknownView.statusCode).toBe(404);
    const noKey = await app.inject({ method: 'GET', url: '/v1/features/by_card' });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json()).toMatchObject({ error: { code: 'TANDEM_INVALID_KEY', message: 'give the entity key: ?key=<card>' } });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('dead-letters events later than the allowed lateness, with the reason', async () => {
    await app.inject({ method: 'POST', url: '/v1/events/payments', payload: [payment(0, 'c9', 1), payment(30, 'c9', 2)] });
    await runtime.stop();
    const deadLetters = await FileEventLog.open(join(dir, 'dead-letters'));
    const letters = (await deadLetters.read(0)).map((r) => decodeDeadLetter(r.payload));
    await deadLetters.close();
    expect(letters).toEqual([expect.objectContaining({ code: 'TANDEM_LATE_EVENT', reason: expect.stringContaining('beyond the allowed lateness of 5m') })]);
  });

  it('answers overload with 503 and Retry-After instead of queueing without bound', async () => {
    const busy = buildApp(runtime, { maxInFlight: 0 });
    const response = await busy.inject({ method: 'POST', url: '/v1/events/payments', payload: [payment(1, 'c', 1)] });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toMatchObject({ error: { code: 'TANDEM_OVERLOADED' } });
    await busy.close();
  });
});
