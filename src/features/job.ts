import { TandemError, quote } from '../errors.js';
import { CronSchedule } from '../jobs/cron.js';
import { parseDuration, type Duration } from './duration.js';

/**
 * What a scheduled job does:
 * - `{ retrain: model }`: retrain and pass the champion/challenger gate (every model also has
 *   a job `retrain:<model>`, scheduled by its `retrain.schedule`);
 * - `{ score: { model, spine, out, table?, events? } }`: batch scoring — the model's champion
 *   scores every row of the spine file as of its time; `out` is a file, or a postgres:// URL
 *   with `table`;
 * - `{ backfill: { views, spine, out, events? } }`: point-in-time features to a file;
 * - `{ driftReport: { model, out } }`: the HTML drift and performance report of the live window.
 * `events` maps source names to files; without it, the events come from the event log of the
 * running `tandem serve` (plus the files the champion was trained on).
 */
export type JobTask =
  | { readonly retrain: string }
  | { readonly score: { readonly model: string; readonly spine: string; readonly out: string; readonly table?: string; readonly events?: Readonly<Record<string, string>> } }
  | { readonly backfill: { readonly views: readonly string[]; readonly spine: string; readonly out: string; readonly events?: Readonly<Record<string, string>> } }
  | { readonly driftReport: { readonly model: string; readonly out: string } };

export interface JobOptions {
  /** Cron expression, UTC (docs/jobs.md); none: the job runs when triggered (`tandem jobs run`). */
  readonly schedule?: string;
  /** Further attempts after a failure, with exponential backoff. @default 2 */
  readonly retries?: number;
  /** A run taking longer is aborted and counted failed. @default none */
  readonly timeout?: Duration;
  readonly task: JobTask;
}

export interface JobDefinitionInProject {
  readonly kind: 'job';
  readonly name: string;
  readonly schedule: string | undefined;
  readonly retries: number;
  readonly timeoutMs: number | undefined;
  readonly task: JobTask;
}

/** Declare a scheduled job of the project; model names and views are checked by `defineProject`. */
export function job(name: string, options: JobOptions): JobDefinitionInProject {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name)) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `job name ${quote(name)} is invalid; use letters, digits, '_', '-' and '.', starting with a letter`);
  }
  const where = `job '${name}'`;
  if (options === null || typeof options !== 'object') throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: options must be an object, got ${quote(options)}`);
  if (options.schedule !== undefined) checkSchedule(where, options.schedule);
  const retries = options.retries ?? 2;
  if (!(Number.isSafeInteger(retries) && retries >= 0)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: retries must be a whole number ≥ 0, got ${quote(options.retries)}`);
  const task = options.task as Record<string, unknown> | undefined;
  const kinds = task === null || typeof task !== 'object' ? [] : Object.keys(task);
  if (kinds.length !== 1 || !['retrain', 'score', 'backfill', 'driftReport'].includes(kinds[0]!)) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: task must be one of { retrain }, { score }, { backfill }, { driftReport }, got ${quote(options.task)}`);
  }
  const body = task![kinds[0]!];
  const need = (field: string): void => {
    const value = (body as Record<string, unknown> | null)?.[field];
    if (typeof value !== 'string' || value === '') throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: task.${kinds[0]}.${field} must be a non-empty string, got ${quote(value)}`);
  };
  if (kinds[0] === 'retrain' && (typeof body !== 'string' || body === '')) throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: task.retrain must name a model, got ${quote(body)}`);
  if (kinds[0] === 'score') ['model', 'spine', 'out'].forEach(need);
  if (kinds[0] === 'backfill') {
    ['spine', 'out'].forEach(need);
    const views = (body as { views?: unknown }).views;
    if (!Array.isArray(views) || views.length === 0) throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: task.backfill.views must list feature views, got ${quote(views)}`);
  }
  if (kinds[0] === 'driftReport') ['model', 'out'].forEach(need);
  return {
    kind: 'job',
    name,
    schedule: options.schedule,
    retries,
    timeoutMs: options.timeout === undefined ? undefined : parseDuration(options.timeout, `${where}: timeout`),
    task: options.task,
  };
}

export function checkSchedule(where: string, schedule: unknown): void {
  if (typeof schedule !== 'string') throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: schedule must be a cron expression such as '0 3 * * *', got ${quote(schedule)}`);
  try {
    CronSchedule.parse(schedule);
  } catch (error) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/** The model a job's task is about, if any. */
export function jobModel(task: JobTask): string | undefined {
  if ('retrain' in task) return task.retrain;
  if ('score' in task) return task.score.model;
  if ('driftReport' in task) return task.driftReport.model;
  return undefined;
}
