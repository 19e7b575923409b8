import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { TandemError } from '../errors.js';
import { systemClock, type Clock } from './clock.js';
import { backoffDelay, checkJobDefinition, type CheckedJob, type JobDefinition } from './job-definition.js';
import type { JobRun, JobState, JobStore, RunTrigger, StartRun } from './job-store.js';
import { runAttempt, type Attempt } from './run-attempt.js';

export interface JobLogEntry {
  readonly at: string;
  readonly job: string;
  readonly runId: string | null;
  readonly message: string;
}

export interface SchedulerOptions {
  readonly store: JobStore;
  /** This process's id in leases and run history. @default '<hostname>:<pid>:<random>' */
  readonly owner?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** How often due times, retries and expired leases are checked. @default 1000 */
  readonly pollIntervalMs?: number;
  /** A run's lease lasts this long and is renewed every third of it; a dead owner's run is abandoned after it. @default 60_000 */
  readonly leaseMs?: number;
  /** How long `stop()` waits for running jobs before aborting them. @default 30_000 */
  readonly stopTimeoutMs?: number;
  /** Where `ctx.log` lines and the scheduler's own notices go. @default one line each on stderr */
  readonly log?: (entry: JobLogEntry) => void;
}

/** A run this scheduler started, and a promise of its final record (it never rejects for a failing job). */
export interface StartedRun {
  readonly run: JobRun;
  readonly finished: Promise<JobRun>;
}

export type TriggerResult =
  | ({ readonly status: 'started' } & StartedRun)
  /** Another run of the job is in progress (here or in another process); nothing was started. */
  | { readonly status: 'already-running'; readonly run: JobRun };

export interface JobInfo extends JobState {
  /** Whether this scheduler has the job's run function (the store may hold jobs other processes define). */
  readonly defined: boolean;
  readonly lastRun: JobRun | null;
  /** The run in progress, if any. */
  readonly running: JobRun | null;
}

type StartOutcome = TriggerResult | { readonly status: 'not-due' };

interface Registered extends CheckedJob {
  /** The definition's write to the store; awaited before the job is used. */
  readonly saved: Promise<unknown>;
}

/**
 * Runs defined jobs on their cron schedules, on demand and on retry, with their state in a
 * JobStore, so several processes can share one set of jobs and a restart loses nothing.
 * Semantics (catch-up once, backoff, leases, overlap) are in docs/jobs.md.
 */
export class Scheduler {
  readonly owner: string;
  readonly #store: JobStore;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #stopTimeoutMs: number;
  readonly #log: (entry: JobLogEntry) => void;
  readonly #jobs = new Map<string, Registered>();
  readonly #attempts = new Map<string, Attempt>();
  readonly #busy = new Set<Promise<unknown>>();
  #started = false;
  #stopping: Promise<void> | undefined;
  #pollTimer: unknown;
  #polling: Promise<StartedRun[]> | undefined;

  constructor(options: SchedulerOptions) {
    this.#store = options.store;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#clock = options.clock ?? systemClock;
    this.#pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 1000);
    this.#leaseMs = positive('leaseMs', options.leaseMs ?? 60_000);
    this.#stopTimeoutMs = positive('stopTimeoutMs', options.stopTimeoutMs ?? 30_000);
    this.#log = options.log ?? ((e) => process.stderr.write(`${e.at} job ${e.job}${e.runId === null ? '' : ` run ${e.runId}`}: ${e.message}\n`));
  }

  /** Add a job and store its definition; a job whose stored schedule is unchanged keeps its stored due time. */
  define(definition: JobDefinition): void {
    const checked = checkJobDefinition(definition);
    const { name } = checked.snapshot;
    if (this.#jobs.has(name)) throw new TandemError('TANDEM_INVALID_DEFINITION', `job '${name}' is already defined`);
    const now = this.#clock.now();
    const saved = this.#store.saveJob(checked.snapshot, {
      nextDueAt: checked.schedule?.nextAfter(new Date(now)) ?? null,
      now: new Date(now),
    });
    saved.catch(() => undefined); // surfaced where the job is next used
    this.#jobs.set(name, { ...checked, saved });
  }

  /** Start checking due jobs every pollIntervalMs; the first check runs at once. */
  async start(): Promise<void> {
    if (this.#stopping !== undefined) throw new TandemError('TANDEM_USAGE', 'the scheduler was stopped; create a new one to start again');
    if (this.#started) return;
    await Promise.all([...this.#jobs.values()].map((job) => job.saved));
    this.#started = true;
    this.#tick();
  }

  /**
   * Stop polling and wait for running jobs; after `timeoutMs` abort the rest through their
   * signals and record them failed (their retries stay pending for the next scheduler).
   */
  stop(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? this.#stopTimeoutMs);
    return this.#stopping;
  }

  /** Run a job now, unless a run of it is in progress anywhere. */
  async trigger(name: string, options: { readonly trigger?: 'manual' | 'alert'; readonly reason?: string } = {}): Promise<TriggerResult> {
    const job = this.#job(name);
    this.#refuseWhenStopping(`trigger job '${name}'`);
    await job.saved;
    const started = await this.#startRun(job, { trigger: options.trigger ?? 'manual', reason: options.reason ?? null, attempt: 1, scheduledFor: null });
    if (started.status === 'not-due') throw new TandemError('TANDEM_INTERNAL', `job '${name}' could not be started`); // only scheduled runs check due times
    return started;
  }

  /**
   * Start what is due now: pending retries, then missed or current schedule slots, once each.
   * Also abandons runs whose leases expired. Called every pollIntervalMs after `start()`.
   */
  async poll(): Promise<StartedRun[]> {
    if (this.#stopping !== undefined) return [];
    this.#polling ??= this.#track(this.#poll()).finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  /** Runs newest first, of one job or of all. */
  async history(name?: string, options: { readonly limit?: number } = {}): Promise<JobRun[]> {
    return this.#store.runs({ ...(name === undefined ? {} : { job: name }), ...(options.limit === undefined ? {} : { limit: options.limit }) });
  }

  /** Every job in the store with its next due time, last run and run in progress. */
  async jobs(): Promise<JobInfo[]> {
    await Promise.all([...this.#jobs.values()].map((job) => job.saved));
    const now = this.#clock.now();
    const states = await this.#store.jobs();
    return Promise.all(
      states.map(async (state) => {
        const [lastRun] = await this.#store.runs({ job: state.name, limit: 1 });
        const held = state.lease !== null && Date.parse(state.lease.expiresAt) > now;
        const running = held ? ((await this.#store.run(state.lease?.runId as string)) ?? null) : null;
        return { ...state, defined: this.#jobs.has(state.name), lastRun: lastRun ?? null, running };
      }),
    );
  }

  /** Resolves when no check and no run of this scheduler is in progress. */
  async idle(): Promise<void> {
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
  }

  #tick(): void {
    this.#pollTimer = undefined;
    const next = this.poll()
      .catch((error: unknown) => this.#notice('*', null, `checking due jobs failed: ${(error as Error).message}`))
      .finally(() => {
        if (this.#stopping === undefined) this.#pollTimer = this.#clock.setTimer(() => this.#tick(), this.#pollIntervalMs);
      });
    void this.#track(next);
  }

  async #poll(): Promise<StartedRun[]> {
    const now = this.#clock.now();
    for (const run of await this.#store.abandonExpired(new Date(now))) {
      this.#notice(run.job, run.runId, `abandoned: ${run.error ?? 'its lease expired'}`);
    }
    const started: StartedRun[] = [];
    for (const job of this.#jobs.values()) {
      await job.saved;
      const state = await this.#store.job(job.snapshot.name);
      if (state === undefined || state.lease !== null) continue;
      let result: StartOutcome | undefined;
      if (state.retryAt !== null && Date.parse(state.retryAt) <= now) {
        const retryAt = new Date(state.retryAt);
        result = await this.#startRun(job, { trigger: 'retry', reason: null, attempt: state.retryAttempt ?? 2, scheduledFor: retryAt, retryAt });
      } else if (job.schedule !== undefined && state.nextDueAt !== null && Date.parse(state.nextDueAt) <= now) {
        // Catch-up once: the next slot is computed from now, so slots missed while down collapse into this run.
        const due = new Date(state.nextDueAt);
        result = await this.#startRun(job, { trigger: 'schedule', reason: null, attempt: 1, scheduledFor: due, due: { at: due, next: job.schedule.nextAfter(new Date(now)) } });
      }
      if (result?.status === 'started') started.push({ run: result.run, finished: result.finished });
    }
    return started;
  }

  async #startRun(
    job: Registered,
    request: Pick<StartRun, 'trigger' | 'reason' | 'attempt' | 'scheduledFor' | 'due' | 'retryAt'>,
  ): Promise<StartOutcome> {
    const now = this.#clock.now();
    const result = await this.#store.startRun({
      ...request,
      job: job.snapshot.name,
      runId: randomUUID(),
      owner: this.owner,
      now: new Date(now),
      leaseUntil: new Date(now + this.#leaseMs),
    });
    if (!result.started) return result.reason === 'running' ? { status: 'already-running', run: result.run } : { status: 'not-due' };
    const finished = this.#track(this.#execute(job, result.run, request.trigger));
    finished.catch(() => undefined); // a store failure is logged by #execute; callers that await `finished` see it too
    return { status: 'started', run: result.run, finished };
  }

  async #execute(job: Registered, run: JobRun, trigger: RunTrigger): Promise<JobRun> {
    const attempt = runAttempt(
      job.run,
      {
        runId: run.runId,
        attempt: run.attempt,
        trigger,
        scheduledFor: run.scheduledFor === null ? null : new Date(run.scheduledFor),
        log: (message) => this.#notice(run.job, run.runId, message),
      },
      { clock: this.#clock, timeoutMs: job.snapshot.timeoutMs, job: run.job },
    );
    this.#attempts.set(run.runId, attempt);
    let heartbeat: unknown;
    let done = false;
    const renew = (): void => {
      if (done) return;
      heartbeat = this.#clock.setTimer(() => {
        const until = new Date(this.#clock.now() + this.#leaseMs);
        this.#store.renewLease(run.runId, this.owner, until).then(
          (held) => (held ? renew() : attempt.abort(new DOMException(`job '${run.job}' lost its lease to another process`, 'AbortError'))),
          (error: unknown) => {
            this.#notice(run.job, run.runId, `renewing the lease failed: ${(error as Error).message}`);
            renew();
          },
        );
      }, Math.max(1, Math.floor(this.#leaseMs / 3)));
    };
    renew();
    try {
      const outcome = await attempt.outcome;
      done = true;
      this.#clock.clearTimer(heartbeat);
      const { retries, backoff } = job.snapshot;
      const now = this.#clock.now();
      const retry = outcome.status === 'failed' && run.attempt <= retries ? { at: new Date(now + backoffDelay(backoff, run.attempt)), attempt: run.attempt + 1 } : null;
      const recorded = await this.#store.finishRun({
        runId: run.runId,
        owner: this.owner,
        status: outcome.status,
        now: new Date(now),
        error: outcome.status === 'failed' ? outcome.error : null,
        result: outcome.status === 'succeeded' ? outcome.result : null,
        retry,
      });
      if (!recorded) this.#notice(run.job, run.runId, `finished (${outcome.status}) after its lease had expired; the run stays abandoned`);
      else if (outcome.status === 'failed') {
        this.#notice(run.job, run.runId, `attempt ${run.attempt} failed: ${outcome.error}${retry === null ? '' : `; retrying at ${retry.at.toISOString()}`}`);
      }
      return (await this.#store.run(run.runId)) as JobRun;
    } catch (error) {
      this.#notice(run.job, run.runId, `recording the outcome failed: ${(error as Error).message}`);
      throw error;
    } finally {
      done = true;
      this.#clock.clearTimer(heartbeat);
      this.#attempts.delete(run.runId);
    }
  }

  async #stop(timeoutMs: number): Promise<void> {
    if (this.#pollTimer !== undefined) this.#clock.clearTimer(this.#pollTimer);
    this.#pollTimer = undefined;
    await this.#polling?.catch(() => undefined);
    const running = [...this.#attempts.values()];
    if (running.length > 0) {
      let timer: unknown;
      const bound = new Promise<void>((resolve) => {
        timer = this.#clock.setTimer(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled(running.map((attempt) => attempt.outcome)), bound]);
      this.#clock.clearTimer(timer);
      for (const attempt of this.#attempts.values()) {
        attempt.abort(new DOMException(`the scheduler stopped and did not wait longer than ${timeoutMs} ms for the job to finish`, 'AbortError'));
      }
    }
    await this.idle();
  }

  #job(name: string): Registered {
    const job = this.#jobs.get(name);
    if (job === undefined) {
      const known = [...this.#jobs.keys()].sort();
      throw new TandemError('TANDEM_UNKNOWN_JOB', `unknown job '${name}'; ${known.length === 0 ? 'no jobs are defined' : `defined jobs: ${known.join(', ')}`}`);
    }
    return job;
  }

  #refuseWhenStopping(what: string): void {
    if (this.#stopping !== undefined) throw new TandemError('TANDEM_USAGE', `cannot ${what}: the scheduler is stopped`);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#busy.add(promise);
    void promise.finally(() => this.#busy.delete(promise)).catch(() => undefined);
    return promise;
  }

  #notice(job: string, runId: string | null, message: string): void {
    this.#log({ at: new Date(this.#clock.now()).toISOString(), job, runId, message });
  }
}

function positive(setting: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new TandemError('TANDEM_USAGE', `scheduler option ${setting} must be a whole number above 0, got ${String(value)}`);
  return value;
}
