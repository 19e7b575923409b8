import type { JsonValue } from '../models/artifact.js';

/** What started a run: its schedule, a person or command, a retry of a failed run, or a monitoring alert. */
export type RunTrigger = 'schedule' | 'manual' | 'retry' | 'alert';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';

/** Exponential backoff between attempts: `initialMs × factor^(attempt − 1)`, at most `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

/** A job's definition as stored: what other processes and `tandem jobs` see of it. */
export interface JobSnapshot {
  readonly name: string;
  /** Cron expression, or null for a job that only runs when triggered. */
  readonly schedule: string | null;
  /** Further attempts after a failed one. */
  readonly retries: number;
  readonly backoff: Backoff;
  readonly timeoutMs: number | null;
}

export interface JobLease {
  readonly owner: string;
  readonly runId: string;
  readonly expiresAt: string;
}

/** A job's stored state: its definition, when it is next due, and who runs it now. */
export interface JobState extends JobSnapshot {
  /** The next scheduled firing (ISO 8601); null without a schedule. */
  readonly nextDueAt: string | null;
  /** When a failed run's next attempt is due; null when none is pending. */
  readonly retryAt: string | null;
  /** The attempt number that pending retry will have. */
  readonly retryAttempt: number | null;
  /** Held while a run is in progress; at most one per job. */
  readonly lease: JobLease | null;
  readonly updatedAt: string;
}

export interface JobRun {
  readonly runId: string;
  readonly job: string;
  readonly trigger: RunTrigger;
  /** Why a manual or alert trigger fired, as given. */
  readonly reason: string | null;
  /** The slot a scheduled run is for, or when a retry was due; null for manual and alert runs. */
  readonly scheduledFor: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly result: JsonValue | null;
  /** The process (scheduler owner id) that ran it. */
  readonly owner: string;
}

export interface StartRun {
  readonly job: string;
  readonly runId: string;
  readonly owner: string;
  readonly trigger: RunTrigger;
  readonly reason: string | null;
  readonly attempt: number;
  readonly scheduledFor: Date | null;
  readonly now: Date;
  readonly leaseUntil: Date;
  /**
   * Start only if the job is still due at `at` (the slot another process may have taken
   * already), and move its next due time to `next`. For scheduled runs.
   */
  readonly due?: { readonly at: Date; readonly next: Date | null };
  /** Start only if the pending retry is still the one due at `retryAt`. For retries. */
  readonly retryAt?: Date;
}

export type StartResult =
  | { readonly started: true; readonly run: JobRun }
  /** Another run holds the lease; `run` is that run. */
  | { readonly started: false; readonly reason: 'running'; readonly run: JobRun }
  /** The slot or retry asked for is no longer pending (another process took it). */
  | { readonly started: false; readonly reason: 'not-due' };

export interface FinishRun {
  readonly runId: string;
  readonly owner: string;
  readonly status: 'succeeded' | 'failed';
  readonly now: Date;
  readonly error: string | null;
  readonly result: JsonValue | null;
  /** Schedule the next attempt: it is due at `at` and will be attempt `attempt`. */
  readonly retry: { readonly at: Date; readonly attempt: number } | null;
}

/**
 * Durable job state shared by every scheduler process: definitions, due times, leases and run
 * history. Lives in the registry's database (SQLite file or PostgreSQL); every method that
 * changes a lease is atomic across processes.
 */
export interface JobStore {
  /**
   * Store a job's definition. A new job, or one whose schedule changed, gets `nextDueAt`; an
   * existing job with the same schedule keeps its stored due time, so missed slots are noticed.
   */
  saveJob(job: JobSnapshot, options: { readonly nextDueAt: Date | null; readonly now: Date }): Promise<JobState>;
  job(name: string): Promise<JobState | undefined>;
  /** Every stored job, by name. */
  jobs(): Promise<JobState[]>;
  /**
   * Take the job's lease and record a run as 'running', unless another run holds an unexpired
   * lease. A lease that expired is taken over and its run marked 'abandoned'. Clears any
   * pending retry: a run that starts supersedes it.
   */
  startRun(request: StartRun): Promise<StartResult>;
  /** Extend a run's lease; false when the run no longer holds it. */
  renewLease(runId: string, owner: string, until: Date): Promise<boolean>;
  /** Record a run's outcome and release its lease; false when the run lost its lease (it was marked 'abandoned'). */
  finishRun(outcome: FinishRun): Promise<boolean>;
  /** Mark the runs whose leases expired before `now` as 'abandoned' and free their jobs. */
  abandonExpired(now: Date): Promise<JobRun[]>;
  run(runId: string): Promise<JobRun | undefined>;
  /** Runs newest first, of one job or of all. */
  runs(options?: { readonly job?: string; readonly limit?: number }): Promise<JobRun[]>;
  close(): Promise<void>;
}
