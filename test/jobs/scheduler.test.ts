import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay, type JobDefinition } from '../../src/jobs/job-definition.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { SqliteJobStore } from '../../src/jobs/sqlite/sqlite-job-store.js';
import { ManualClock } from '../../src/jobs/manual-clock.js';

describe('scheduler', () => {
  let dir: string;
  let store: SqliteJobStore;
  let scheduler: Scheduler;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-scheduler-'));
    store = SqliteJobStore.open({ dir });
    scheduler = new Scheduler({ store, clock: new ManualClock('2026-03-04T10:00:00Z'), log: () => undefined });
  });
  afterEach(async () => {
    await scheduler.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const job = (extra: Partial<JobDefinition>): JobDefinition => ({ name: 'retrain', run: async () => undefined, ...extra });

  it.each([
    [{ name: 'retrain fraud' }, "job name 'retrain fraud' is invalid"],
    [{ schedule: '0 25 * * *' }, "job 'retrain': cron expression '0 25 * * *': hour '25' is out of range 0-23"],
    [{ retries: -1 }, "job 'retrain': retries must be a whole number of at least 0, got -1"],
    [{ timeoutMs: 0 }, "job 'retrain': timeoutMs must be a whole number of at least 1, got 0"],
    [{ backoff: { initialMs: 1000, factor: 0.5, maxMs: 5000 } }, "job 'retrain': backoff.factor must be a number of at least 1, got 0.5"],
    [{ backoff: { initialMs: 1000, factor: 2, maxMs: 10 } }, "job 'retrain': backoff.maxMs must be a whole number of at least 1000, got 10"],
  ])('refuses an invalid definition %j, naming the job and quoting the value', (extra, message) => {
    expect(() => scheduler.define(job(extra))).toThrow(message);
  });

  it('refuses a second definition of one name and names unknown jobs with the defined ones', async () => {
    scheduler.define(job({}));
    scheduler.define(job({ name: 'score:daily' }));
    expect(() => scheduler.define(job({}))).toThrow("job 'retrain' is already defined");
    await expect(scheduler.trigger('retrian')).rejects.toThrow("unknown job 'retrian'; defined jobs: retrain, score:daily");
  });

  it('stores a job with the defaults: two retries, 1 s backoff growing ×4 to at most 5 min, no timeout', async () => {
    scheduler.define(job({ schedule: '@hourly' }));
    expect(await scheduler.jobs()).toMatchObject([
      {
        name: 'retrain',
        schedule: '@hourly',
        retries: 2,
        backoff: { initialMs: 1000, factor: 4, maxMs: 300_000 },
        timeoutMs: null,
        nextDueAt: '2026-03-04T11:00:00.000Z',
        defined: true,
        lastRun: null,
        running: null,
      },
    ]);
  });

  it('grows the backoff by its factor and caps it at maxMs', () => {
    const backoff = { initialMs: 1000, factor: 4, maxMs: 300_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(backoff, attempt))).toEqual([1000, 4000, 16_000, 64_000, 256_000, 300_000]);
  });

  it('cannot be started again once stopped', async () => {
    await scheduler.start();
    await scheduler.stop();
    await expect(scheduler.start()).rejects.toThrow('the scheduler was stopped; create a new one to start again');
  });
});
