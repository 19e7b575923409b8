import { mkdirSync, readFileSync, writeFileSync, renameSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { TandemError } from '../../errors.js';
import { sha256, type JsonValue } from '../../models/artifact.js';
import { checkName } from '../../features/names.js';
import type { ReferenceProfile } from '../../monitoring/types.js';
import type { AuditAction, AuditEntry, Lineage, ModelRegistry, ModelVersion, NewVersion, RecordedAction, RegistryLocation } from '../registry.js';
import { MIGRATIONS } from './migrations.js';

interface VersionRow {
  readonly model: string;
  readonly version: number;
  readonly created_at: string;
  readonly kind: string;
  readonly artifact_sha256: string;
  readonly artifact_file: string;
  readonly metrics: string;
  readonly lineage: string;
}

export interface SqliteRegistryOptions {
  /** Folder holding registry.db and artifacts/. */
  readonly dir: string;
  /** Clock for created_at and audit times (tests). @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * The embedded registry: one SQLite file (WAL mode) for versions, aliases and the audit log,
 * and one immutable file per artifact, written and fsynced before its row commits, so a row
 * never points at a missing or partial artifact.
 */
export class SqliteRegistry implements ModelRegistry {
  readonly #db: Database.Database;
  readonly #dir: string;
  readonly #now: () => Date;

  private constructor(db: Database.Database, dir: string, now: () => Date) {
    this.#db = db;
    this.#dir = dir;
    this.#now = now;
  }

  get location(): RegistryLocation {
    return { kind: 'sqlite', dir: this.#dir };
  }

  static open(options: SqliteRegistryOptions): SqliteRegistry {
    mkdirSync(join(options.dir, 'artifacts'), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(join(options.dir, 'registry.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
    } catch (cause) {
      throw new TandemError('TANDEM_REGISTRY', `cannot open the model registry in '${options.dir}': ${(cause as Error).message}`, { cause });
    }
    return new SqliteRegistry(db, resolve(options.dir), options.now ?? (() => new Date()));
  }

  async register(entry: NewVersion): Promise<ModelVersion> {
    checkName(entry.model, 'model');
    const digest = sha256(entry.artifact);
    const at = this.#now().toISOString();
    const next = (this.#db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM model_versions WHERE model = ?').get(entry.model) as { v: number }).v;
    // The file name carries the digest, so two writers racing for one version number never
    // overwrite each other's artifact; the loser's insert fails on the primary key.
    const file = join('artifacts', entry.model, `${next}-${digest.slice(0, 16)}.json`);
    writeDurably(join(this.#dir, file), entry.artifact);
    const insert = this.#db.transaction(() => {
      this.#db
        .prepare(
          'INSERT INTO model_versions (model, version, created_at, kind, artifact_sha256, artifact_file, metrics, lineage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(entry.model, next, at, entry.kind, digest, file, JSON.stringify(entry.metrics), JSON.stringify(entry.lineage));
      if (entry.profile !== undefined) {
        this.#db.prepare('INSERT INTO model_profiles (model, version, profile) VALUES (?, ?, ?)').run(entry.model, next, JSON.stringify(entry.profile));
      }
      this.#audit(at, 'register', entry.model, { version: next, kind: entry.kind, artifactSha256: digest });
      for (const alias of entry.aliases ?? []) this.#setAlias(at, entry.model, alias, next);
    });
    try {
      insert();
    } catch (cause) {
      throw new TandemError('TANDEM_REGISTRY', `cannot register model '${entry.model}' version ${next}: ${(cause as Error).message}`, { cause });
    }
    return (await this.get(entry.model, next)) as ModelVersion;
  }

  async versions(model?: string): Promise<ModelVersion[]> {
    const rows = (
      model === undefined
        ? this.#db.prepare('SELECT * FROM model_versions ORDER BY model, version').all()
        : this.#db.prepare('SELECT * FROM model_versions WHERE model = ? ORDER BY version').all(model)
    ) as VersionRow[];
    const aliases = this.#aliases(model);
    return rows.map((row) => toVersion(row, aliases.get(`${row.model}@${row.version}`) ?? []));
  }

  async get(model: string, ref: number | string): Promise<ModelVersion | undefined> {
    const version = typeof ref === 'number' ? ref : this.#aliasTarget(model, ref);
    if (version === undefined) return undefined;
    const row = this.#db.prepare('SELECT * FROM model_versions WHERE model = ? AND version = ?').get(model, version) as VersionRow | undefined;
    if (row === undefined) return undefined;
    return toVersion(row, this.#aliases(model).get(`${model}@${version}`) ?? []);
  }

  async artifact(model: string, version: number): Promise<string> {
    const row = this.#db
      .prepare('SELECT artifact_file, artifact_sha256 FROM model_versions WHERE model = ? AND version = ?')
      .get(model, version) as Pick<VersionRow, 'artifact_file' | 'artifact_sha256'> | undefined;
    if (row === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no version ${version}`);
    let text: string;
    try {
      text = readFileSync(join(this.#dir, row.artifact_file), 'utf8');
    } catch (cause) {
      throw new TandemError('TANDEM_REGISTRY', `artifact of ${model}@${version} cannot be read: ${(cause as Error).message}`, { cause });
    }
    if (sha256(text) !== row.artifact_sha256) {
      throw new TandemError('TANDEM_REGISTRY', `artifact of ${model}@${version} is damaged: its SHA-256 no longer matches the registry`);
    }
    return text;
  }

  async setAlias(model: string, alias: string, version: number): Promise<void> {
    checkName(alias, 'alias');
    const exists = this.#db.prepare('SELECT 1 FROM model_versions WHERE model = ? AND version = ?').get(model, version);
    if (exists === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no version ${version}`);
    const at = this.#now().toISOString();
    this.#db.transaction(() => this.#setAlias(at, model, alias, version))();
  }

  async removeAlias(model: string, alias: string): Promise<void> {
    const at = this.#now().toISOString();
    this.#db.transaction(() => {
      const previous = this.#aliasTarget(model, alias);
      if (previous === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no alias '${alias}'`);
      this.#db.prepare('DELETE FROM model_aliases WHERE model = ? AND alias = ?').run(model, alias);
      this.#audit(at, 'remove-alias', model, { alias, previous });
    })();
  }

  async profile(model: string, version: number): Promise<ReferenceProfile | undefined> {
    const row = this.#db.prepare('SELECT profile FROM model_profiles WHERE model = ? AND version = ?').get(model, version) as { profile: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.profile) as ReferenceProfile);
  }

  async record(action: RecordedAction, model: string, detail: { readonly [key: string]: JsonValue }): Promise<void> {
    this.#audit(this.#now().toISOString(), action, model, detail);
  }

  async audit(model?: string, options: { readonly limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? -1;
    // The most recent `limit` entries, returned oldest first.
    const rows = (
      model === undefined
        ? this.#db.prepare('SELECT * FROM (SELECT id, at, action, model, detail FROM audit_log ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit)
        : this.#db.prepare('SELECT * FROM (SELECT id, at, action, model, detail FROM audit_log WHERE model = ? ORDER BY id DESC LIMIT ?) ORDER BY id').all(model, limit)
    ) as { at: string; action: AuditAction; model: string; detail: string }[];
    return rows.map((row) => ({ at: row.at, action: row.action, model: row.model, detail: JSON.parse(row.detail) as AuditEntry['detail'] }));
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #setAlias(at: string, model: string, alias: string, version: number): void {
    const previous = this.#aliasTarget(model, alias);
    this.#db
      .prepare(
        'INSERT INTO model_aliases (model, alias, version, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at',
      )
      .run(model, alias, version, at);
    this.#audit(at, 'alias', model, { alias, version, previous: previous ?? null });
  }

  #aliasTarget(model: string, alias: string): number | undefined {
    const row = this.#db.prepare('SELECT version FROM model_aliases WHERE model = ? AND alias = ?').get(model, alias) as { version: number } | undefined;
    return row?.version;
  }

  #aliases(model?: string): Map<string, string[]> {
    const rows = (
      model === undefined
        ? this.#db.prepare('SELECT model, alias, version FROM model_aliases ORDER BY alias').all()
        : this.#db.prepare('SELECT model, alias, version FROM model_aliases WHERE model = ? ORDER BY alias').all(model)
    ) as { model: string; alias: string; version: number }[];
    const byVersion = new Map<string, string[]>();
    for (const row of rows) {
      const key = `${row.model}@${row.version}`;
      byVersion.set(key, [...(byVersion.get(key) ?? []), row.alias]);
    }
    return byVersion;
  }

  #audit(at: string, action: AuditAction, model: string, detail: { readonly [key: string]: JsonValue }): void {
    this.#db.prepare('INSERT INTO audit_log (at, action, model, detail) VALUES (?, ?, ?, ?)').run(at, action, model, JSON.stringify(detail));
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    if (applied.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, new Date().toISOString());
    })();
  });
}

function toVersion(row: VersionRow, aliases: readonly string[]): ModelVersion {
  return {
    model: row.model,
    version: row.version,
    createdAt: row.created_at,
    kind: row.kind,
    artifactSha256: row.artifact_sha256,
    metrics: JSON.parse(row.metrics) as ModelVersion['metrics'],
    lineage: JSON.parse(row.lineage) as Lineage,
    aliases,
  };
}

/** Write, fsync, rename: the artifact is whole on disk before the registry row refers to it. */
function writeDurably(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  const fd = openSync(temporary, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
