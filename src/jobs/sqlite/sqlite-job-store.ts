import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TandemError } from '../../errors.js';
import type { FinishRun, JobRun, JobSnapshot, JobState, JobStore, StartResult, StartRun } from '../job-store.js';
import { abandonedMessage, toJobRun, toJobState, type JobRow, type RunRow } from '../job-rows.js';
import { JOB_MIGRATIONS } from './migrations.js';

export interface SqliteJobStoreOptions {
  /** The registry's folder: the tables go into its registry.db. */
  readonly dir: string;
}

/**
 * Job state in the embedded registry's SQLite file, through a connection of its own (WAL, so
 * readers never wait; a busy timeout, so writers from several processes queue). Lease changes
 * run in IMMEDIATE transactions, which take SQLite's single write lock before reading, so two
 * processes cannot both see a job free and both start it.
 */
export class SqliteJobStore implements JobStore {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(options: SqliteJobStoreOptions): SqliteJobStore {
    let db: Database.Database | undefined;
    try {
      mkdirSync(options.dir, { recursive: true });
      db = new Database(join(options.dir, 'registry.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
    } catch (cause) {
      db?.close();
      throw new TandemError('TANDEM_JOBS', `cannot open the job tables in '${options.dir}': ${(cause as Error).message}`, { cause });
    }
    return new SqliteJobStore(db);
  }

  async saveJob(job: JobSnapshot, options: { readonly nextDueAt: Date | null; readonly now: Date }): Promise<JobState> {
    this.#db
      .prepare(
        `INSERT INTO jobs (name, schedule, retries, backoff_initial_ms, backoff_factor, backoff_max_ms, timeout_ms, next_due_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET
           next_due_at = CASE WHEN jobs.schedule IS excluded.schedule THEN jobs.next_due_at ELSE excluded.next_due_at END,
           schedule = excluded.schedule, retries = excluded.retries, backoff_initial_ms = excluded.backoff_initial_ms,
           backoff_factor = excluded.backoff_factor, backoff_max_ms = excluded.backoff_max_ms, timeout_ms = excluded.timeout_ms,
           updated_at = excluded.updated_at`,
      )
      .run(
        job.name,
        job.schedule,
        job.retries,
        job.backoff.initialMs,
        job.backoff.factor,
        job.backoff.maxMs,
        job.timeoutMs,
        options.nextDueAt?.toISOString() ?? null,
        options.now.toISOString(),
      );
    return (await this.job(job.name)) as JobState;
  }

  async job(name: string): Promise<JobState | undefined> {
    const row = this.#jobRow(name);
    return row === undefined ? undefined : toJobState(row);
  }

  async jobs(): Promise<JobState[]> {
    return (this.#db.prepare('SELECT * FROM jobs ORDER BY name').all() as JobRow[]).map(toJobState);
  }

  async startRun(request: StartRun): Promise<StartResult> {
    const now = request.now.toISOString();
    return this.#db
      .transaction((): StartResult => {
        let job = this.#jobRow(request.job);
        if (job === undefined) throw new TandemError('TANDEM_USAGE', `unknown job '${request.job}': define it before starting a run`);
        if (job.lease_run_id !== null) {
          if ((job.lease_expires_at as string) > now) return { started: false, reason: 'running', run: this.#run(job.lease_run_id) as JobRun };
          this.#abandon(job, now);
          job = this.#jobRow(request.job) as JobRow;
        }
        if (request.due !== undefined && job.next_due_at !== request.due.at.toISOString()) return { started: false, reason: 'not-due' };
        if (request.retryAt !== undefined && job.retry_at !== request.retryAt.toISOString()) return { started: false, reason: 'not-due' };
        this.#db
          .prepare(
            `UPDATE jobs SET lease_owner = ?, lease_run_id = ?, lease_expires_at = ?, retry_at = NULL, retry_attempt = NULL,
               next_due_at = ?, updated_at = ? WHERE name = ?`,
          )
          .run(
            request.owner,
            request.runId,
            request.leaseUntil.toISOString(),
            request.due === undefined ? job.next_due_at : (request.due.next?.toISOString() ?? null),
            now,
            request.job,
          );
        this.#db
          .prepare(
            `INSERT INTO job_runs (run_id, job, triggered_by, reason, scheduled_for, started_at, attempt, status, owner)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
          )
          .run(request.runId, request.job, request.trigger, request.reason, request.scheduledFor?.toISOString() ?? null, now, request.attempt, request.owner);
        return { started: true, run: this.#run(request.runId) as JobRun };
      })
      .immediate();
  }

  async renewLease(runId: string, owner: string, until: Date): Promise<boolean> {
    const renewed = this.#db
      .prepare('UPDATE jobs SET lease_expires_at = ? WHERE lease_run_id = ? AND lease_owner = ?')
      .run(until.toISOString(), runId, owner);
    return renewed.changes === 1;
  }

  async finishRun(outcome: FinishRun): Promise<boolean> {
    const now = outcome.now.toISOString();
    return this.#db
      .transaction((): boolean => {
        const finished = this.#db
          .prepare(`UPDATE job_runs SET status = ?, finished_at = ?, error = ?, result = ? WHERE run_id = ? AND owner = ? AND status = 'running'`)
          .run(outcome.status, now, outcome.error, outcome.result === null ? null : JSON.stringify(outcome.result), outcome.runId, outcome.owner);
        if (finished.changes === 0) return false;
        this.#db
          .prepare(
            `UPDATE jobs SET lease_owner = NULL, lease_run_id = NULL, lease_expires_at = NULL, retry_at = ?, retry_attempt = ?, updated_at = ?
             WHERE lease_run_id = ?`,
          )
          .run(outcome.retry?.at.toISOString() ?? null, outcome.retry?.attempt ?? null, now, outcome.runId);
        return true;
      })
      .immediate();
  }

  async abandonExpired(now: Date): Promise<JobRun[]> {
    const at = now.toISOString();
    return this.#db
      .transaction((): JobRun[] => {
        const expired = this.#db.prepare('SELECT * FROM jobs WHERE lease_expires_at <= ? ORDER BY name').all(at) as JobRow[];
        return expired.flatMap((job) => {
          this.#abandon(job, at);
          return this.#run(job.lease_run_id as string) ?? [];
        });
      })
      .immediate();
  }

  async run(runId: string): Promise<JobRun | undefined> {
    return this.#run(runId);
  }

  async runs(options: { readonly job?: string; readonly limit?: number } = {}): Promise<JobRun[]> {
    const limit = options.limit ?? -1;
    const rows = (
      options.job === undefined
        ? this.#db.prepare('SELECT * FROM job_runs ORDER BY seq DESC LIMIT ?').all(limit)
        : this.#db.prepare('SELECT * FROM job_runs WHERE job = ? ORDER BY seq DESC LIMIT ?').all(options.job, limit)
    ) as RunRow[];
    return rows.map((row) => toJobRun(row, { resultIsText: true }));
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #jobRow(name: string): JobRow | undefined {
    return this.#db.prepare('SELECT * FROM jobs WHERE name = ?').get(name) as JobRow | undefined;
  }

  #run(runId: string): JobRun | undefined {
    const row = this.#db.prepare('SELECT * FROM job_runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row === undefined ? undefined : toJobRun(row, { resultIsText: true });
  }

  /** Inside a transaction: mark the job's leased run abandoned and free the job. */
  #abandon(job: JobRow, now: string): void {
    this.#db
      .prepare(`UPDATE job_runs SET status = 'abandoned', finished_at = ?, error = ? WHERE run_id = ? AND status = 'running'`)
      .run(now, abandonedMessage(job), job.lease_run_id);
    this.#db
      .prepare('UPDATE jobs SET lease_owner = NULL, lease_run_id = NULL, lease_expires_at = NULL, updated_at = ? WHERE name = ?')
      .run(now, job.name);
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS job_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  db.transaction(() => {
    // Read the ledger inside the write lock, so two processes opening at once apply each step once.
    const applied = new Set((db.prepare('SELECT version FROM job_schema_migrations').all() as { version: number }[]).map((r) => r.version));
    JOB_MIGRATIONS.forEach((sql, i) => {
      if (applied.has(i + 1)) return;
      db.exec(sql);
      db.prepare('INSERT INTO job_schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, new Date().toISOString());
    });
  }).immediate();
}
