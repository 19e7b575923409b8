/**
 * Schema changes of the job tables in the registry's SQLite file, in order; each runs once, in
 * a transaction, recorded in job_schema_migrations (the registry keeps its own ledger).
 * Times are ISO 8601 text, which sorts as time does.
 */
export const JOB_MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     name TEXT PRIMARY KEY,
     schedule TEXT,
     retries INTEGER NOT NULL,
     backoff_initial_ms INTEGER NOT NULL,
     backoff_factor REAL NOT NULL,
     backoff_max_ms INTEGER NOT NULL,
     timeout_ms INTEGER,
     next_due_at TEXT,
     retry_at TEXT,
     retry_attempt INTEGER,
     lease_owner TEXT,
     lease_run_id TEXT,
     lease_expires_at TEXT,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE job_runs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL UNIQUE,
     job TEXT NOT NULL REFERENCES jobs (name),
     triggered_by TEXT NOT NULL CHECK (triggered_by IN ('schedule', 'manual', 'retry', 'alert')),
     reason TEXT,
     scheduled_for TEXT,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     attempt INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
     error TEXT,
     result TEXT,
     owner TEXT NOT NULL
   );
   CREATE INDEX job_runs_by_job ON job_runs (job, seq);`,
];
