import { TandemError, quote } from '../errors.js';
import type { JsonValue } from '../models/artifact.js';
import { CronSchedule } from './cron.js';
import type { Backoff, JobSnapshot, RunTrigger } from './job-store.js';

/** What a job's `run` receives. */
export interface JobContext {
  readonly runId: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly trigger: RunTrigger;
  /** The slot a scheduled run is for, or when a retry was due; null for manual and alert runs. */
  readonly scheduledFor: Date | null;
  /** Aborted on timeout, when the scheduler stops past its bound, or when the run loses its lease. */
  readonly signal: AbortSignal;
  log(message: string): void;
}

export interface JobDefinition {
  /** Letters, digits, `_`, `-`, `.` and `:`, starting with a letter, e.g. 'retrain:fraud'. */
  readonly name: string;
  /** Cron expression in UTC (see docs/jobs.md); without one the job runs only when triggered. */
  readonly schedule?: string;
  /** Further attempts after a failed one. @default 2 */
  readonly retries?: number;
  /** Delay before each retry. @default { initialMs: 1000, factor: 4, maxMs: 300_000 } */
  readonly backoff?: Backoff;
  /** Abort the run (through `signal`) and record it failed after this long. @default no limit */
  readonly timeoutMs?: number;
  readonly run: (context: JobContext) => Promise<JsonValue | void>;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, factor: 4, maxMs: 300_000 };

const NAME = /^[A-Za-z][A-Za-z0-9_.:-]*$/;

/** A definition checked, with its parsed schedule and the snapshot the store keeps. */
export interface CheckedJob {
  readonly snapshot: JobSnapshot;
  readonly schedule: CronSchedule | undefined;
  readonly run: JobDefinition['run'];
}

export function checkJobDefinition(definition: JobDefinition): CheckedJob {
  const { name } = definition;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TandemError(
      'TANDEM_INVALID_DEFINITION',
      `job name ${quote(name)} is invalid; use letters, digits, '_', '-', '.' and ':', starting with a letter`,
    );
  }
  if (typeof definition.run !== 'function') throw new TandemError('TANDEM_INVALID_DEFINITION', `job '${name}' needs a run function, got ${quote(definition.run)}`);
  const retries = definition.retries ?? 2;
  wholeNumber(name, 'retries', retries, 0);
  const backoff = definition.backoff ?? DEFAULT_BACKOFF;
  wholeNumber(name, 'backoff.initialMs', backoff.initialMs, 0);
  wholeNumber(name, 'backoff.maxMs', backoff.maxMs, backoff.initialMs);
  if (!(typeof backoff.factor === 'number' && backoff.factor >= 1 && Number.isFinite(backoff.factor))) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `job '${name}': backoff.factor must be a number of at least 1, got ${quote(backoff.factor)}`);
  }
  if (definition.timeoutMs !== undefined) wholeNumber(name, 'timeoutMs', definition.timeoutMs, 1);
  let schedule: CronSchedule | undefined;
  if (definition.schedule !== undefined) {
    try {
      schedule = CronSchedule.parse(definition.schedule);
    } catch (cause) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `job '${name}': ${(cause as Error).message}`, { cause });
    }
  }
  return {
    snapshot: {
      name,
      schedule: definition.schedule ?? null,
      retries,
      backoff: { initialMs: backoff.initialMs, factor: backoff.factor, maxMs: backoff.maxMs },
      timeoutMs: definition.timeoutMs ?? null,
    },
    schedule,
    run: definition.run,
  };
}

/** The wait before the attempt after `failedAttempt`: initialMs × factor^(failedAttempt − 1), at most maxMs. */
export function backoffDelay(backoff: Backoff, failedAttempt: number): number {
  return Math.min(backoff.maxMs, Math.round(backoff.initialMs * backoff.factor ** (failedAttempt - 1)));
}

function wholeNumber(job: string, setting: string, value: unknown, min: number): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `job '${job}': ${setting} must be a whole number of at least ${min}, got ${quote(value)}`);
  }
}
