import pg from 'pg';
import { TandemError } from '../../errors.js';
import { inTransaction } from '../../io/postgres-transaction.js';
import { checkName } from '../../features/names.js';
import type { FinishRun, JobRun, JobSnapshot, JobState, JobStore, StartResult, StartRun } from '../job-store.js';
import { abandonedMessage, toJobRun, toJobState, type JobRow, type RunRow } from '../job-rows.js';
import { PG_JOB_MIGRATIONS } from './migrations.js';

export interface PostgresJobStoreOptions {
  /** The registry's database, e.g. postgres://127.0.0.1:5432/tandem */
  readonly connectionString: string;
  /** Schema holding the tables (created if absent). @default 'public' */
  readonly schema?: string;
}

/** Serializes job-table migrations across processes starting at once (the registry uses its own). */
const MIGRATION_LOCK = 7_423_002;

/**
 * Job state in the registry's PostgreSQL database. Lease changes lock the job's row
 * (`SELECT … FOR UPDATE`) for the length of a transaction, so of two processes starting one
 * job at once the second sees the first's lease.
 */
export class PostgresJobStore implements JobStore {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  static async open(options: PostgresJobStoreOptions): Promise<PostgresJobStore> {
    const schema = checkName(options.schema ?? 'public', 'schema');
    const pool = new pg.Pool({ connectionString: options.connectionString, max: 4, options: `-c search_path=${schema}` });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on the next query.
    });
    try {
      await migrate(pool, schema);
    } catch (cause) {
      await pool.end();
      throw new TandemError('TANDEM_JOBS', `cannot open the job tables at ${redact(options.connectionString)}: ${(cause as Error).message}`, { cause });
    }
    return new PostgresJobStore(pool);
  }

  async saveJob(job: JobSnapshot, options: { readonly nextDueAt: Date | null; readonly now: Date }): Promise<JobState> {
    const saved = await this.#query<JobRow>(
      `INSERT INTO tandem_jobs (name, schedule, retries, backoff_initial_ms, backoff_factor, backoff_max_ms, timeout_ms, next_due_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (name) DO UPDATE SET
         next_due_at = CASE WHEN tandem_jobs.schedule IS NOT DISTINCT FROM EXCLUDED.schedule THEN tandem_jobs.next_due_at ELSE EXCLUDED.next_due_at END,
         schedule = EXCLUDED.schedule, retries = EXCLUDED.retries, backoff_initial_ms = EXCLUDED.backoff_initial_ms,
         backoff_factor = EXCLUDED.backoff_factor, backoff_max_ms = EXCLUDED.backoff_max_ms, timeout_ms = EXCLUDED.timeout_ms,
         updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [job.name, job.schedule, job.retries, job.backoff.initialMs, job.backoff.factor, job.backoff.maxMs, job.timeoutMs, options.nextDueAt, options.now],
      `cannot save job '${job.name}'`,
    );
    return toJobState(saved[0] as JobRow);
  }

  async job(name: string): Promise<JobState | undefined> {
    const [row] = await this.#query<JobRow>('SELECT * FROM tandem_jobs WHERE name = $1', [name], `cannot read job '${name}'`);
    return row === undefined ? undefined : toJobState(row);
  }

  async jobs(): Promise<JobState[]> {
    return (await this.#query<JobRow>('SELECT * FROM tandem_jobs ORDER BY name', [], 'cannot list jobs')).map(toJobState);
  }

  async startRun(request: StartRun): Promise<StartResult> {
    return this.#transaction(async (client): Promise<StartResult> => {
      const job = (await client.query<JobRow>('SELECT * FROM tandem_jobs WHERE name = $1 FOR UPDATE', [request.job])).rows[0];
      if (job === undefined) throw new TandemError('TANDEM_USAGE', `unknown job '${request.job}': define it before starting a run`);
      if (job.lease_run_id !== null) {
        if ((job.lease_expires_at as Date) > request.now) return { started: false, reason: 'running', run: (await runOf(client, job.lease_run_id)) as JobRun };
        await abandon(client, job, request.now);
      }
      if (request.due !== undefined && (job.next_due_at as Date | null)?.getTime() !== request.due.at.getTime()) return { started: false, reason: 'not-due' };
      if (request.retryAt !== undefined && (job.retry_at as Date | null)?.getTime() !== request.retryAt.getTime()) return { started: false, reason: 'not-due' };
      await client.query(
        `UPDATE tandem_jobs SET lease_owner = $1, lease_run_id = $2, lease_expires_at = $3, retry_at = NULL, retry_attempt = NULL,
           next_due_at = $4, updated_at = $5 WHERE name = $6`,
        [request.owner, request.runId, request.leaseUntil, request.due === undefined ? job.next_due_at : request.due.next, request.now, request.job],
      );
      const inserted = await client.query<RunRow>(
        `INSERT INTO tandem_job_runs (run_id, job, triggered_by, reason, scheduled_for, started_at, attempt, status, owner)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8) RETURNING *`,
        [request.runId, request.job, request.trigger, request.reason, request.scheduledFor, request.now, request.attempt, request.owner],
      );
      return { started: true, run: toJobRun(inserted.rows[0] as RunRow, { resultIsText: false }) };
    }, `cannot start a run of job '${request.job}'`);
  }

  async renewLease(runId: string, owner: string, until: Date): Promise<boolean> {
    const renewed = await this.#pool.query('UPDATE tandem_jobs SET lease_expires_at = $1 WHERE lease_run_id = $2 AND lease_owner = $3', [until, runId, owner]);
    return renewed.rowCount === 1;
  }

  async finishRun(outcome: FinishRun): Promise<boolean> {
    return this.#transaction(async (client) => {
      const finished = await client.query<{ job: string }>(
        `UPDATE tandem_job_runs SET status = $1, finished_at = $2, error = $3, result = $4
         WHERE run_id = $5 AND owner = $6 AND status = 'running' RETURNING job`,
        [outcome.status, outcome.now, outcome.error, outcome.result === null ? null : JSON.stringify(outcome.result), outcome.runId, outcome.owner],
      );
      if (finished.rowCount === 0) return false;
      await client.query(
        `UPDATE tandem_jobs SET lease_owner = NULL, lease_run_id = NULL, lease_expires_at = NULL, retry_at = $1, retry_attempt = $2, updated_at = $3
         WHERE lease_run_id = $4`,
        [outcome.retry?.at ?? null, outcome.retry?.attempt ?? null, outcome.now, outcome.runId],
      );
      return true;
    }, `cannot record the end of run '${outcome.runId}'`);
  }

  async abandonExpired(now: Date): Promise<JobRun[]> {
    return this.#transaction(async (client) => {
      const expired = (await client.query<JobRow>('SELECT * FROM tandem_jobs WHERE lease_expires_at <= $1 ORDER BY name FOR UPDATE', [now])).rows;
      const runs: JobRun[] = [];
      for (const job of expired) {
        await abandon(client, job, now);
        const run = await runOf(client, job.lease_run_id as string);
        if (run !== undefined) runs.push(run);
      }
      return runs;
    }, 'cannot release expired leases');
  }

  async run(runId: string): Promise<JobRun | undefined> {
    const [row] = await this.#query<RunRow>('SELECT * FROM tandem_job_runs WHERE run_id = $1', [runId], `cannot read run '${runId}'`);
    return row === undefined ? undefined : toJobRun(row, { resultIsText: false });
  }

  async runs(options: { readonly job?: string; readonly limit?: number } = {}): Promise<JobRun[]> {
    const rows =
      options.job === undefined
        ? await this.#query<RunRow>('SELECT * FROM tandem_job_runs ORDER BY seq DESC LIMIT $1', [options.limit ?? null], 'cannot read the run history')
        : await this.#query<RunRow>(
            'SELECT * FROM tandem_job_runs WHERE job = $1 ORDER BY seq DESC LIMIT $2',
            [options.job, options.limit ?? null],
            `cannot read the run history of job '${options.job}'`,
          );
    return rows.map((row) => toJobRun(row, { resultIsText: false }));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[], what: string): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (cause) {
      throw new TandemError('TANDEM_JOBS', `${what}: ${(cause as Error).message}`, { cause });
    }
  }

  #transaction<T>(work: (client: pg.PoolClient) => Promise<T>, what: string): Promise<T> {
    return inTransaction(this.#pool, 'TANDEM_JOBS', what, work);
  }
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // The lock comes first, so two processes creating the schema at once do not collide.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS tandem_job_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM tandem_job_schema_migrations')).rows.map((r) => r.version));
    for (const [i, sql] of PG_JOB_MIGRATIONS.entries()) {
      if (applied.has(i + 1)) continue;
      await client.query(sql);
      await client.query('INSERT INTO tandem_job_schema_migrations (version, applied_at) VALUES ($1, now())', [i + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function runOf(client: pg.PoolClient, runId: string): Promise<JobRun | undefined> {
  const row = (await client.query<RunRow>('SELECT * FROM tandem_job_runs WHERE run_id = $1', [runId])).rows[0];
  return row === undefined ? undefined : toJobRun(row, { resultIsText: false });
}

/** Inside a transaction holding the job's row lock: mark its leased run abandoned and free the job. */
async function abandon(client: pg.PoolClient, job: JobRow, now: Date): Promise<void> {
  await client.query(`UPDATE tandem_job_runs SET status = 'abandoned', finished_at = $1, error = $2 WHERE run_id = $3 AND status = 'running'`, [
    now,
    abandonedMessage(job),
    job.lease_run_id,
  ]);
  await client.query('UPDATE tandem_jobs SET lease_owner = NULL, lease_run_id = NULL, lease_expires_at = NULL, updated_at = $1 WHERE name = $2', [now, job.name]);
}

/** A connection string without its password, for error messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
