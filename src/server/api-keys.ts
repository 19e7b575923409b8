import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TandemError } from '../errors.js';
import { checkName } from '../features/names.js';

export const SCOPES = ['predict', 'ingest', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

interface StoredKey {
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** SHA-256 of the key, hex. Keys are 32 random bytes, so a fast hash is enough. */
  readonly sha256: string;
  readonly createdAt: string;
}

export interface ApiKeyInfo {
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: string;
}

/**
 * API keys for `tandem serve`, kept hashed in a JSON file (`<data-dir>/api-keys.json`): the
 * key itself is shown once, at creation. A request's key is hashed and compared with every
 * stored hash in constant time. The file is re-read when it changes, so a revoked key stops
 * working without a restart.
 */
export class ApiKeyStore {
  readonly #path: string;
  #keys: StoredKey[] = [];
  #loadedMtime = -1;
  #checkedAt = 0;

  constructor(path: string) {
    this.#path = path;
    this.#reload();
  }

  /** Whether any key exists: without keys the server is open (local development). */
  get enabled(): boolean {
    this.#refresh();
    return this.#keys.length > 0;
  }

  list(): ApiKeyInfo[] {
    this.#reload();
    return this.#keys.map(({ name, scopes, createdAt }) => ({ name, scopes, createdAt }));
  }

  /** Creates a key and returns it; only its hash is stored. */
  create(name: string, scopes: readonly string[]): string {
    checkName(name, 'API key');
    this.#reload();
    if (this.#keys.some((k) => k.name === name)) throw new TandemError('TANDEM_USAGE', `an API key named '${name}' exists; revoke it first or pick another name`);
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      throw new TandemError('TANDEM_USAGE', `scopes must be some of ${SCOPES.join(', ')}; got ${scopes.length === 0 ? 'none' : unknown.map((s) => `'${s}'`).join(', ')}`);
    }
    const key = `tdm_${randomBytes(32).toString('base64url')}`;
    this.#keys.push({ name, scopes: [...new Set(scopes)] as Scope[], sha256: hash(key), createdAt: new Date().toISOString() });
    this.#save();
    return key;
  }

  revoke(name: string): void {
    this.#reload();
    const before = this.#keys.length;
    this.#keys = this.#keys.filter((k) => k.name !== name);
    if (this.#keys.length === before) throw new TandemError('TANDEM_USAGE', `no API key named '${name}'`);
    this.#save();
  }

  /** The key's name and scopes, or undefined. Compares against every stored hash in constant time. */
  verify(presented: string): ApiKeyInfo | undefined {
    this.#refresh();
    const digest = Buffer.from(hash(presented), 'hex');
    let found: StoredKey | undefined;
    for (const key of this.#keys) {
      if (timingSafeEqual(digest, Buffer.from(key.sha256, 'hex')) && found === undefined) found = key;
    }
    return found === undefined ? undefined : { name: found.name, scopes: found.scopes, createdAt: found.createdAt };
  }

  /** Re-reads the file at most once a second, when its modification time changed. */
  #refresh(): void {
    const now = Date.now();
    if (now - this.#checkedAt < 1_000) return;
    this.#checkedAt = now;
    this.#reload();
  }

  #reload(): void {
    let mtime: number;
    try {
      mtime = statSync(this.#path).mtimeMs;
    } catch {
      this.#keys = [];
      this.#loadedMtime = -1;
      return;
    }
    if (mtime === this.#loadedMtime) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.#path, 'utf8'));
    } catch (cause) {
      throw new TandemError('TANDEM_USAGE', `API key file '${this.#path}' is not valid JSON`, { cause });
    }
    const keys = (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(keys) || keys.some((k) => typeof k?.name !== 'string' || typeof k?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(k.sha256) || !Array.isArray(k?.scopes))) {
      throw new TandemError('TANDEM_USAGE', `API key file '${this.#path}' must hold { keys: [{ name, scopes, sha256, createdAt }] }`);
    }
    this.#keys = keys as StoredKey[];
    this.#loadedMtime = mtime;
  }

  #save(): void {
    mkdirSync(dirname(this.#path), { recursive: true });
    const temporary = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ keys: this.#keys }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.#path);
    this.#loadedMtime = statSync(this.#path).mtimeMs;
  }
}

function hash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The scope an endpoint needs; undefined for the open ones (health, readiness). */
export function scopeOf(method: string, url: string): Scope | undefined {
  if (url === '/healthz' || url === '/readyz' || url.startsWith('/v2/health') || url === '/v2') return undefined;
  if (url.startsWith('/v1/events')) return 'ingest';
  if (url === '/metrics') return 'admin';
  // Monitoring, jobs, the audit log and rollback are operations, not predictions.
  if (/^\/v1\/(monitoring|jobs|audit|models)(\/|$)/.test(url)) return 'admin';
  if (url.startsWith('/v1/') || url.startsWith('/v2/')) return 'predict';
  return method === 'GET' ? undefined : 'admin';
}
