/**
 * PostgreSQL schema changes of the job tables, in order, each applied once under an advisory
 * lock and recorded in tandem_job_schema_migrations. The tandem_ prefix lets the jobs share the
 * registry's database.
 */
export const PG_JOB_MIGRATIONS: readonly string[] = [
  `CREATE TABLE tandem_jobs (
     name TEXT PRIMARY KEY,
     schedule TEXT,
     retries INTEGER NOT NULL,
     backoff_initial_ms BIGINT NOT NULL,
     backoff_factor DOUBLE PRECISION NOT NULL,
     backoff_max_ms BIGINT NOT NULL,
     timeout_ms BIGINT,
     next_due_at TIMESTAMPTZ,
     retry_at TIMESTAMPTZ,
     retry_attempt INTEGER,
     lease_owner TEXT,
     lease_run_id TEXT,
     lease_expires_at TIMESTAMPTZ,
     updated_at TIMESTAMPTZ NOT NULL
   );
   CREATE TABLE tandem_job_runs (
     seq BIGSERIAL PRIMARY KEY,
     run_id TEXT NOT NULL UNIQUE,
     job TEXT NOT NULL REFERENCES tandem_jobs (name),
     triggered_by TEXT NOT NULL CHECK (triggered_by IN ('schedule', 'manual', 'retry', 'alert')),
     reason TEXT,
     scheduled_for TIMESTAMPTZ,
     started_at TIMESTAMPTZ NOT NULL,
     finished_at TIMESTAMPTZ,
     attempt INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
     error TEXT,
     result JSONB,
     owner TEXT NOT NULL
   );
   CREATE INDEX tandem_job_runs_by_job ON tandem_job_runs (job, seq);`,
];
