import type { JsonValue } from '../models/artifact.js';
import type { JobRun, JobState, RunStatus, RunTrigger } from './job-store.js';

/** Times as the drivers return them: ISO text from SQLite, Date from PostgreSQL. */
type Time = string | Date;

/** A row of `jobs` / `tandem_jobs`, shared by both backends. */
export interface JobRow {
  readonly name: string;
  readonly schedule: string | null;
  readonly retries: number;
  readonly backoff_initial_ms: number | string;
  readonly backoff_factor: number;
  readonly backoff_max_ms: number | string;
  readonly timeout_ms: number | string | null;
  readonly next_due_at: Time | null;
  readonly retry_at: Time | null;
  readonly retry_attempt: number | null;
  readonly lease_owner: string | null;
  readonly lease_run_id: string | null;
  readonly lease_expires_at: Time | null;
  readonly updated_at: Time;
}

/** A row of `job_runs` / `tandem_job_runs`; `result` is JSON text in SQLite and parsed in PostgreSQL. */
export interface RunRow {
  readonly run_id: string;
  readonly job: string;
  readonly triggered_by: RunTrigger;
  readonly reason: string | null;
  readonly scheduled_for: Time | null;
  readonly started_at: Time;
  readonly finished_at: Time | null;
  readonly attempt: number;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly result: string | JsonValue | null;
  readonly owner: string;
}

export function toJobState(row: JobRow): JobState {
  return {
    name: row.name,
    schedule: row.schedule,
    retries: row.retries,
    backoff: { initialMs: Number(row.backoff_initial_ms), factor: row.backoff_factor, maxMs: Number(row.backoff_max_ms) },
    timeoutMs: row.timeout_ms === null ? null : Number(row.timeout_ms),
    nextDueAt: iso(row.next_due_at),
    retryAt: iso(row.retry_at),
    retryAttempt: row.retry_attempt,
    lease:
      row.lease_run_id === null || row.lease_owner === null || row.lease_expires_at === null
        ? null
        : { owner: row.lease_owner, runId: row.lease_run_id, expiresAt: iso(row.lease_expires_at) as string },
    updatedAt: iso(row.updated_at) as string,
  };
}

export function toJobRun(row: RunRow, options: { readonly resultIsText: boolean }): JobRun {
  return {
    runId: row.run_id,
    job: row.job,
    trigger: row.triggered_by,
    reason: row.reason,
    scheduledFor: iso(row.scheduled_for),
    startedAt: iso(row.started_at) as string,
    finishedAt: iso(row.finished_at),
    attempt: row.attempt,
    status: row.status,
    error: row.error,
    result: options.resultIsText && typeof row.result === 'string' ? (JSON.parse(row.result) as JsonValue) : row.result,
    owner: row.owner,
  };
}

/** The error recorded on a run whose owner stopped renewing its lease. */
export function abandonedMessage(job: Pick<JobRow, 'lease_owner' | 'lease_expires_at'>): string {
  return `lease of owner '${job.lease_owner ?? ''}' expired at ${iso(job.lease_expires_at) ?? '?'} before the run finished`;
}

function iso(value: Time | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value : value.toISOString();
}
