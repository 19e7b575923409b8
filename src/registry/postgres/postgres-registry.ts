import pg from 'pg';
import { TandemError } from '../../errors.js';
import { inTransaction } from '../../io/postgres-transaction.js';
import { checkName } from '../../features/names.js';
import { sha256, type JsonValue } from '../../models/artifact.js';
import type { ReferenceProfile } from '../../monitoring/types.js';
import type { AuditAction, AuditEntry, Lineage, ModelRegistry, ModelVersion, NewVersion, RecordedAction, RegistryLocation } from '../registry.js';
import { PG_MIGRATIONS } from './migrations.js';

export interface PostgresRegistryOptions {
  /** e.g. postgres://127.0.0.1:5432/tandem */
  readonly connectionString: string;
  /** Schema holding the tables (created if absent). @default 'public' */
  readonly schema?: string;
  readonly now?: () => Date;
}

interface VersionRow {
  readonly model: string;
  readonly version: number;
  readonly created_at: Date;
  readonly kind: string;
  readonly artifact_sha256: string;
  readonly metrics: ModelVersion['metrics'];
  readonly lineage: Lineage;
}

/** Serializes migrations across processes starting at once. */
const MIGRATION_LOCK = 7_423_001;

/**
 * The registry on PostgreSQL, for several serving replicas and trainers sharing one set of
 * versions. Artifacts live in the database (content-addressed by SHA-256), so every replica
 * can load every version. Version numbers are assigned under a per-model advisory lock.
 */
export class PostgresRegistry implements ModelRegistry {
  readonly #pool: pg.Pool;
  readonly #connectionString: string;
  readonly #schema: string;
  readonly #now: () => Date;

  private constructor(pool: pg.Pool, connectionString: string, schema: string, now: () => Date) {
    this.#pool = pool;
    this.#connectionString = connectionString;
    this.#schema = schema;
    this.#now = now;
  }

  get location(): RegistryLocation {
    return { kind: 'postgres', connectionString: this.#connectionString, schema: this.#schema };
  }

  static async open(options: PostgresRegistryOptions): Promise<PostgresRegistry> {
    const schema = checkName(options.schema ?? 'public', 'schema');
    const pool = new pg.Pool({ connectionString: options.connectionString, max: 4, options: `-c search_path=${schema}` });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on the next query.
    });
    const registry = new PostgresRegistry(pool, options.connectionString, schema, options.now ?? (() => new Date()));
    try {
      await registry.#migrate();
    } catch (cause) {
      await pool.end();
      throw new TandemError('TANDEM_REGISTRY', `cannot open the model registry at ${redact(options.connectionString)}: ${(cause as Error).message}`, { cause });
    }
    return registry;
  }

  async register(entry: NewVersion): Promise<ModelVersion> {
    checkName(entry.model, 'model');
    const digest = sha256(entry.artifact);
    const at = this.#now();
    const version = await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tandem-model:${entry.model}`]);
      const next = Number((await client.query('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM tandem_model_versions WHERE model = $1', [entry.model])).rows[0].v);
      await client.query('INSERT INTO tandem_model_artifacts (sha256, body) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING', [digest, entry.artifact]);
      await client.query(
        'INSERT INTO tandem_model_versions (model, version, created_at, kind, artifact_sha256, metrics, lineage) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [entry.model, next, at, entry.kind, digest, JSON.stringify(entry.metrics), JSON.stringify(entry.lineage)],
      );
      if (entry.profile !== undefined) {
        await client.query('INSERT INTO tandem_model_profiles (model, version, profile) VALUES ($1, $2, $3)', [entry.model, next, JSON.stringify(entry.profile)]);
      }
      await this.#audit(client, at, 'register', entry.model, { version: next, kind: entry.kind, artifactSha256: digest });
      for (const alias of entry.aliases ?? []) await this.#setAlias(client, at, entry.model, alias, next);
      return next;
    }, `cannot register model '${entry.model}'`);
    return (await this.get(entry.model, version)) as ModelVersion;
  }

  async versions(model?: string): Promise<ModelVersion[]> {
    const rows = (
      model === undefined
        ? await this.#pool.query<VersionRow>('SELECT * FROM tandem_model_versions ORDER BY model, version')
        : await this.#pool.query<VersionRow>('SELECT * FROM tandem_model_versions WHERE model = $1 ORDER BY version', [model])
    ).rows;
    const aliases = await this.#aliases(model);
    return rows.map((row) => toVersion(row, aliases.get(`${row.model}@${row.version}`) ?? []));
  }

  async get(model: string, ref: number | string): Promise<ModelVersion | undefined> {
    const version = typeof ref === 'number' ? ref : await this.#aliasTarget(this.#pool, model, ref);
    if (version === undefined) return undefined;
    const row = (await this.#pool.query<VersionRow>('SELECT * FROM tandem_model_versions WHERE model = $1 AND version = $2', [model, version])).rows[0];
    if (row === undefined) return undefined;
    return toVersion(row, (await this.#aliases(model)).get(`${model}@${version}`) ?? []);
  }

  async artifact(model: string, version: number): Promise<string> {
    const row = (
      await this.#pool.query<{ body: string; sha256: string }>(
        'SELECT a.body, a.sha256 FROM tandem_model_versions v JOIN tandem_model_artifacts a ON a.sha256 = v.artifact_sha256 WHERE v.model = $1 AND v.version = $2',
        [model, version],
      )
    ).rows[0];
    if (row === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no version ${version}`);
    if (sha256(row.body) !== row.sha256) {
      throw new TandemError('TANDEM_REGISTRY', `artifact of ${model}@${version} is damaged: its SHA-256 no longer matches the registry`);
    }
    return row.body;
  }

  async setAlias(model: string, alias: string, version: number): Promise<void> {
    checkName(alias, 'alias');
    await this.#transaction(async (client) => {
      const exists = await client.query('SELECT 1 FROM tandem_model_versions WHERE model = $1 AND version = $2', [model, version]);
      if (exists.rowCount === 0) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no version ${version}`);
      await this.#setAlias(client, this.#now(), model, alias, version);
    }, `cannot move alias '${alias}' of model '${model}'`);
  }

  async removeAlias(model: string, alias: string): Promise<void> {
    await this.#transaction(async (client) => {
      const removed = await client.query<{ version: number }>('DELETE FROM tandem_model_aliases WHERE model = $1 AND alias = $2 RETURNING version', [model, alias]);
      const previous = removed.rows[0]?.version;
      if (previous === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no alias '${alias}'`);
      await this.#audit(client, this.#now(), 'remove-alias', model, { alias, previous });
    }, `cannot remove alias '${alias}' of model '${model}'`);
  }

  async profile(model: string, version: number): Promise<ReferenceProfile | undefined> {
    const row = (await this.#pool.query<{ profile: string }>('SELECT profile FROM tandem_model_profiles WHERE model = $1 AND version = $2', [model, version])).rows[0];
    return row === undefined ? undefined : (JSON.parse(row.profile) as ReferenceProfile);
  }

  async record(action: RecordedAction, model: string, detail: { readonly [key: string]: JsonValue }): Promise<void> {
    await this.#transaction((client) => this.#audit(client, this.#now(), action, model, detail), `cannot record '${action}' for model '${model}'`);
  }

  async audit(model?: string, options: { readonly limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? null;
    // The most recent `limit` entries (all when null), returned oldest first.
    const rows = (
      model === undefined
        ? await this.#pool.query('SELECT * FROM (SELECT id, at, action, model, detail FROM tandem_audit_log ORDER BY id DESC LIMIT $1) recent ORDER BY id', [limit])
        : await this.#pool.query('SELECT * FROM (SELECT id, at, action, model, detail FROM tandem_audit_log WHERE model = $1 ORDER BY id DESC LIMIT $2) recent ORDER BY id', [model, limit])
    ).rows as { at: Date; action: AuditAction; model: string; detail: AuditEntry['detail'] }[];
    return rows.map((row) => ({ at: row.at.toISOString(), action: row.action, model: row.model, detail: row.detail }));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS tandem_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM tandem_schema_migrations')).rows.map((r) => r.version));
      for (const [i, sql] of PG_MIGRATIONS.entries()) {
        if (applied.has(i + 1)) continue;
        await client.query(sql);
        await client.query('INSERT INTO tandem_schema_migrations (version, applied_at) VALUES ($1, now())', [i + 1]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  #transaction<T>(work: (client: pg.PoolClient) => Promise<T>, what: string): Promise<T> {
    return inTransaction(this.#pool, 'TANDEM_REGISTRY', what, work);
  }

  async #setAlias(client: pg.PoolClient, at: Date, model: string, alias: string, version: number): Promise<void> {
    const previous = await this.#aliasTarget(client, model, alias);
    await client.query(
      'INSERT INTO tandem_model_aliases (model, alias, version, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (model, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at',
      [model, alias, version, at],
    );
    await this.#audit(client, at, 'alias', model, { alias, version, previous: previous ?? null });
  }

  async #aliasTarget(client: pg.Pool | pg.PoolClient, model: string, alias: string): Promise<number | undefined> {
    const row = (await client.query<{ version: number }>('SELECT version FROM tandem_model_aliases WHERE model = $1 AND alias = $2', [model, alias])).rows[0];
    return row?.version;
  }

  async #aliases(model?: string): Promise<Map<string, string[]>> {
    const rows = (
      model === undefined
        ? await this.#pool.query<{ model: string; alias: string; version: number }>('SELECT model, alias, version FROM tandem_model_aliases ORDER BY alias')
        : await this.#pool.query<{ model: string; alias: string; version: number }>('SELECT model, alias, version FROM tandem_model_aliases WHERE model = $1 ORDER BY alias', [model])
    ).rows;
    const byVersion = new Map<string, string[]>();
    for (const row of rows) {
      const key = `${row.model}@${row.version}`;
      byVersion.set(key, [...(byVersion.get(key) ?? []), row.alias]);
    }
    return byVersion;
  }

  async #audit(client: pg.PoolClient, at: Date, action: AuditAction, model: string, detail: { readonly [key: string]: JsonValue }): Promise<void> {
    await client.query('INSERT INTO tandem_audit_log (at, action, model, detail) VALUES ($1, $2, $3, $4)', [at, action, model, JSON.stringify(detail)]);
  }
}

function toVersion(row: VersionRow, aliases: readonly string[]): ModelVersion {
  return {
    model: row.model,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    kind: row.kind,
    artifactSha256: row.artifact_sha256,
    metrics: row.metrics,
    lineage: row.lineage,
    aliases,
  };
}

/** A connection string without its password, for error messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
