import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadProject } from '../../src/config/load-project.js';
import { PiiProtector } from '../../src/ingest/index.js';
import { ApiKeyStore } from '../../src/server/api-keys.js';
import { buildApp } from '../../src/server/app.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';

let dir: string;
let runtime: OnlineRuntime;
let store: ApiKeyStore;
let app: ReturnType<typeof buildApp>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-keys-'));
  runtime = await OnlineRuntime.start(await loadProject('test/fixtures/payments.config.ts'), { dataDir: dir, pii: new PiiProtector(undefined) });
  store = new ApiKeyStore(join(dir, 'api-keys.json'));
  app = buildApp(runtime, { apiKeys: store });
});
afterEach(async () => {
  await app.close();
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
});

const event = { ts: new Date().toISOString(), card: 'c1', merchant: 'm1', amount: 5, country: 'NL' };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys', () => {
  it('leave the server open while none exist', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/events/payments', payload: [event] })).statusCode).toBe(200);
  });

  it('once one exists, require a key with the endpoint scope, naming what is missing', async () => {
    const reader = store.create('reader', ['predict']);
    const writer = store.create('writer', ['ingest']);
    const root = store.create('root', ['admin']);
    const none = await app.inject({ method: 'POST', url: '/v1/events/payments', payload: [event] });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().error).toEqual({ code: 'TANDEM_UNAUTHORIZED', message: "POST /v1/events/:source needs an API key with scope 'ingest': send Authorization: Bearer <key>" });
    const wrong = await app.inject({ method: 'POST', url: '/v1/events/payments', payload: [event], headers: bearer(reader) });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.message).toBe("API key 'reader' has scope 'predict'; POST /v1/events/:source needs 'ingest'");
    expect((await app.inject({ method: 'POST', url: '/v1/events/payments', payload: [event], headers: bearer(writer) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/features/by_card?key=c1', headers: bearer(reader) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/features/by_card?key=c1', headers: { 'x-api-key': reader } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: bearer(reader) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: bearer(root) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/features/by_card?key=c1', headers: bearer(`${reader}x`) })).statusCode).toBe(401);
    // Health and readiness stay open for probes.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('are stored hashed, and a key revoked by another process stops working within a second', async () => {
    const key = store.create('ci', ['predict']);
    const other = store.create('ops', ['predict']);
    const file = await readFile(join(dir, 'api-keys.json'), 'utf8');
    expect(file).not.toContain(key);
    expect(file).toMatch(/"sha256": "[0-9a-f]{64}"/);
    expect((await app.inject({ method: 'GET', url: '/v1/features/by_card?key=c1', headers: bearer(key) })).statusCode).toBe(200);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['node', 'tandem', 'keys', 'revoke', 'ci', '--data-dir', dir])).toBe(0);
    vi.restoreAllMocks();
    await new Promise((done) => setTimeout(done, 1_100));
    expect((await app.inject({ method: 'GET', url: '/v1/features/by_card?key=c1', headers: bearer(key) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/features/by_card?key=c1', headers: bearer(other) })).statusCode).toBe(200);
  });

  it('refuse unknown scopes and duplicate names', () => {
    expect(() => store.create('x', ['read'])).toThrow("scopes must be some of predict, ingest, admin; got 'read'");
    store.create('x', ['predict']);
    expect(() => store.create('x', ['predict'])).toThrow("an API key named 'x' exists");
  });
});
