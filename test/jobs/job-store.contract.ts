import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSnapshot, JobStore, StartRun } from '../../src/jobs/job-store.js';

/** How a backend's contract run opens job stores on fresh storage. */
export interface JobStoreHarness {
  /** A store on this harness's storage; every call (before or after `close`) sees the same data, like another process would. */
  open(): Promise<JobStore>;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-03-04T10:00:00Z');
const t = (seconds: number) => new Date(T0 + seconds * 1000);

const snapshot = (name: string, extra: Partial<JobSnapshot> = {}): JobSnapshot => ({
  name,
  schedule: '*/5 * * * *',
  retries: 2,
  backoff: { initialMs: 1000, factor: 4, maxMs: 300_000 },
  timeoutMs: null,
  ...extra,
});

let runCounter = 0;
const start = (job: string, extra: Partial<StartRun> = {}): StartRun => ({
  job,
  runId: `run-${++runCounter}`,
  owner: 'owner-a',
  trigger: 'manual',
  reason: null,
  attempt: 1,
  scheduledFor: null,
  now: t(0),
  leaseUntil: t(60),
  ...extra,
});

/** The behaviour every job store backend must have (embedded SQLite and PostgreSQL). */
export function runJobStoreContract(name: string, makeHarness: () => Promise<JobStoreHarness>): void {
  describe(`job store contract: ${name}`, () => {
    let harness: JobStoreHarness;
    let store: JobStore;
    beforeEach(async () => {
      harness = await makeHarness();
      store = await harness.open();
    });
    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    it('stores a definition with its due time, and keeps the due time while the schedule is unchanged', async () => {
      const saved = await store.saveJob(snapshot('retrain', { timeoutMs: 90_000 }), { nextDueAt: t(300), now: t(0) });
      expect(saved).toMatchObject({
        name: 'retrain',
        schedule: '*/5 * * * *',
        retries: 2,
        backoff: { initialMs: 1000, factor: 4, maxMs: 300_000 },
        timeoutMs: 90_000,
        nextDueAt: t(300).toISOString(),
        retryAt: null,
        lease: null,
      });
      const again = await store.saveJob(snapshot('retrain', { retries: 5 }), { nextDueAt: t(600), now: t(10) });
      expect(again.nextDueAt).toBe(t(300).toISOString());
      expect(again.retries).toBe(5);
      const moved = await store.saveJob(snapshot('retrain', { schedule: '0 * * * *' }), { nextDueAt: t(3600), now: t(20) });
      expect(moved.nextDueAt).toBe(t(3600).toISOString());
      const manual = await store.saveJob(snapshot('backfill', { schedule: null }), { nextDueAt: null, now: t(0) });
      expect(manual.nextDueAt).toBeNull();
      expect((await store.jobs()).map((j) => j.name)).toEqual(['backfill', 'retrain']);
      expect(await store.job('nope')).toBeUndefined();
    });

    it('starts one run at a time: a second start gets the run in progress', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: t(300), now: t(0) });
      const first = await store.startRun(start('retrain', { reason: 'drift alert', trigger: 'alert' }));
      expect(first.started).toBe(true);
      if (!first.started) return;
      expect(first.run).toMatchObject({ job: 'retrain', trigger: 'alert', reason: 'drift alert', status: 'running', attempt: 1, owner: 'owner-a' });
      expect(first.run.startedAt).toBe(t(0).toISOString());
      expect((await store.job('retrain'))?.lease).toEqual({ owner: 'owner-a', runId: first.run.runId, expiresAt: t(60).toISOString() });
      const second = await store.startRun(start('retrain', { owner: 'owner-b', now: t(5) }));
      expect(second).toEqual({ started: false, reason: 'running', run: first.run });
    });

    it('lets exactly one of many concurrent starts from two processes win', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: t(300), now: t(0) });
      const other = await harness.open();
      try {
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? store : other).startRun(start('retrain', { owner: `owner-${i}` }))));
        expect(results.filter((r) => r.started)).toHaveLength(1);
        expect(await store.runs({ job: 'retrain' })).toHaveLength(1);
      } finally {
        await other.close();
      }
    });

    it('starts a scheduled run only for the slot still due, and moves the due time on', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: t(300), now: t(0) });
      const due = { at: t(300), next: t(600) };
      const first = await store.startRun(start('retrain', { trigger: 'schedule', scheduledFor: t(300), now: t(301), due }));
      expect(first.started).toBe(true);
      if (!first.started) return;
      expect(first.run.scheduledFor).toBe(t(300).toISOString());
      expect((await store.job('retrain'))?.nextDueAt).toBe(t(600).toISOString());
      await store.finishRun({ runId: first.run.runId, owner: 'owner-a', status: 'succeeded', now: t(302), error: null, result: null, retry: null });
      // Another process saw the same slot due before the first took it.
      expect(await store.startRun(start('retrain', { owner: 'owner-b', trigger: 'schedule', now: t(303), due }))).toEqual({ started: false, reason: 'not-due' });
    });

    it('records outcomes, releases the lease, and keeps a pending retry until a run supersedes it', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: t(300), now: t(0) });
      const failed = await store.startRun(start('retrain'));
      if (!failed.started) throw new Error('expected a start');
      const recorded = await store.finishRun({
        runId: failed.run.runId,
        owner: 'owner-a',
        status: 'failed',
        now: t(2),
        error: 'no events',
        result: null,
        retry: { at: t(3), attempt: 2 },
      });
      expect(recorded).toBe(true);
      expect(await store.job('retrain')).toMatchObject({ lease: null, retryAt: t(3).toISOString(), retryAttempt: 2 });
      expect(await store.run(failed.run.runId)).toMatchObject({ status: 'failed', error: 'no events', finishedAt: t(2).toISOString() });

      const retry = await store.startRun(start('retrain', { trigger: 'retry', attempt: 2, scheduledFor: t(3), now: t(3), retryAt: t(3) }));
      if (!retry.started) throw new Error('expected the retry to start');
      expect(await store.job('retrain')).toMatchObject({ retryAt: null, retryAttempt: null });
      const result = { auc: 0.91, rows: [1, 2], model: 'fraud@3' };
      await store.finishRun({ runId: retry.run.runId, owner: 'owner-a', status: 'succeeded', now: t(4), error: null, result, retry: null });
      expect(await store.run(retry.run.runId)).toMatchObject({ status: 'succeeded', attempt: 2, trigger: 'retry', result });
      // The retry was consumed: asking for it again finds nothing pending.
      expect(await store.startRun(start('retrain', { trigger: 'retry', attempt: 2, now: t(5), retryAt: t(3) }))).toEqual({ started: false, reason: 'not-due' });
    });

    it('takes over an expired lease and marks the run that held it abandoned', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: t(300), now: t(0) });
      const dead = await store.startRun(start('retrain', { owner: 'dead-process', leaseUntil: t(30) }));
      if (!dead.started) throw new Error('expected a start');
      expect((await store.startRun(start('retrain', { owner: 'owner-b', now: t(29) }))).started).toBe(false);
      const taken = await store.startRun(start('retrain', { owner: 'owner-b', now: t(30), leaseUntil: t(90) }));
      expect(taken.started).toBe(true);
      const old = await store.run(dead.run.runId);
      expect(old).toMatchObject({ status: 'abandoned', finishedAt: t(30).toISOString() });
      expect(old?.error).toContain("lease of owner 'dead-process' expired");
      // The old owner comes back: its outcome is not recorded over the abandonment.
      expect(await store.finishRun({ runId: dead.run.runId, owner: 'dead-process', status: 'succeeded', now: t(31), error: null, result: null, retry: null })).toBe(false);
      expect((await store.job('retrain'))?.lease?.owner).toBe('owner-b');
    });

    it('abandons expired runs on request and renews only leases still held', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: t(300), now: t(0) });
      await store.saveJob(snapshot('score'), { nextDueAt: t(300), now: t(0) });
      const a = await store.startRun(start('retrain', { leaseUntil: t(30) }));
      const b = await store.startRun(start('score', { leaseUntil: t(30) }));
      if (!a.started || !b.started) throw new Error('expected starts');
      expect(await store.renewLease(b.run.runId, 'owner-a', t(90))).toBe(true);
      expect(await store.renewLease(b.run.runId, 'someone-else', t(900))).toBe(false);
      const abandoned = await store.abandonExpired(t(45));
      expect(abandoned.map((r) => [r.job, r.status])).toEqual([['retrain', 'abandoned']]);
      expect((await store.job('retrain'))?.lease).toBeNull();
      expect((await store.job('score'))?.lease?.expiresAt).toBe(t(90).toISOString());
      expect(await store.renewLease(a.run.runId, 'owner-a', t(120))).toBe(false);
    });

    it('lists runs newest first, per job or all, up to a limit', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: null, now: t(0) });
      await store.saveJob(snapshot('score'), { nextDueAt: null, now: t(0) });
      for (let i = 0; i < 3; i++) {
        for (const job of ['retrain', 'score']) {
          const started = await store.startRun(start(job, { now: t(i * 10) }));
          if (!started.started) throw new Error('expected a start');
          await store.finishRun({ runId: started.run.runId, owner: 'owner-a', status: 'succeeded', now: t(i * 10 + 1), error: null, result: `${job}-${i}`, retry: null });
        }
      }
      expect((await store.runs({ job: 'retrain' })).map((r) => r.result)).toEqual(['retrain-2', 'retrain-1', 'retrain-0']);
      expect((await store.runs({ limit: 3 })).map((r) => r.result)).toEqual(['score-2', 'retrain-2', 'score-1']);
      expect(await store.runs({ job: 'nope' })).toEqual([]);
    });

    it('keeps jobs, due times and history across close and reopen', async () => {
      await store.saveJob(snapshot('retrain'), { nextDueAt: t(300), now: t(0) });
      const started = await store.startRun(start('retrain'));
      if (!started.started) throw new Error('expected a start');
      await store.finishRun({ runId: started.run.runId, owner: 'owner-a', status: 'succeeded', now: t(1), error: null, result: { ok: true }, retry: null });
      await store.close();
      store = await harness.open();
      expect((await store.job('retrain'))?.nextDueAt).toBe(t(300).toISOString());
      expect(await store.runs({ job: 'retrain' })).toMatchObject([{ runId: started.run.runId, status: 'succeeded', result: { ok: true } }]);
    });

    it('refuses to start a job it does not know, naming it', async () => {
      await expect(store.startRun(start('nope'))).rejects.toThrow("unknown job 'nope'");
    });
  });
}
