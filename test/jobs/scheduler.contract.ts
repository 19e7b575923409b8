import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../src/jobs/job-definition.js';
import type { JobStore } from '../../src/jobs/job-store.js';
import { Scheduler, type JobLogEntry, type SchedulerOptions } from '../../src/jobs/scheduler.js';
import type { JobStoreHarness } from './job-store.contract.js';
import { ManualClock } from '../../src/jobs/manual-clock.js';

const T0 = Date.parse('2026-03-04T10:01:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A promise the test resolves when it chooses, to hold a job mid-run. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Let pending I/O and promise callbacks run; used only to show something has *not* happened. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Scheduler behaviour that depends on the store: run against SQLite and PostgreSQL. */
export function runSchedulerContract(name: string, makeHarness: () => Promise<JobStoreHarness>): void {
  describe(`scheduler on ${name}`, () => {
    let harness: JobStoreHarness;
    let opened: { store: JobStore; scheduler: Scheduler }[];
    let logs: JobLogEntry[];

    /** A scheduler on its own store connection, as a separate process would have. */
    async function open(clock: ManualClock, options: Partial<SchedulerOptions> = {}): Promise<Scheduler> {
      const store = await harness.open();
      const scheduler = new Scheduler({ store, clock, pollIntervalMs: 1000, log: (e) => logs.push(e), ...options });
      opened.push({ store, scheduler });
      return scheduler;
    }

    async function close(scheduler: Scheduler): Promise<void> {
      const entry = opened.find((o) => o.scheduler === scheduler);
      await scheduler.stop();
      await entry?.store.close();
      opened = opened.filter((o) => o !== entry);
    }

    beforeEach(async () => {
      harness = await makeHarness();
      opened = [];
      logs = [];
    });
    afterEach(async () => {
      for (const { scheduler } of [...opened]) await close(scheduler);
      await harness.cleanup();
    });

    it('retries a failing job with exponential backoff, one history row per attempt', async () => {
      const clock = new ManualClock(T0);
      const scheduler = await open(clock);
      const seen: { attempt: number; trigger: string; at: number }[] = [];
      scheduler.define({
        name: 'retrain',
        retries: 2,
        backoff: { initialMs: 1000, factor: 4, maxMs: 300_000 },
        run: async (ctx) => {
          seen.push({ attempt: ctx.attempt, trigger: ctx.trigger, at: clock.now() });
          throw new Error(`no labelled events (attempt ${ctx.attempt})`);
        },
      });
      const first = await scheduler.trigger('retrain');
      if (first.status !== 'started') throw new Error('expected a start');
      expect((await first.finished).status).toBe('failed');

      clock.set(T0 + 999);
      expect(await scheduler.poll()).toEqual([]);
      clock.set(T0 + 1000);
      const [second] = await scheduler.poll();
      expect(await second?.finished).toMatchObject({ attempt: 2, trigger: 'retry', status: 'failed', scheduledFor: iso(T0 + 1000) });

      clock.set(T0 + 1000 + 3999);
      expect(await scheduler.poll()).toEqual([]);
      clock.set(T0 + 1000 + 4000);
      const [third] = await scheduler.poll();
      expect((await third?.finished)?.attempt).toBe(3);

      clock.set(T0 + 3_600_000);
      expect(await scheduler.poll()).toEqual([]);
      expect(seen).toEqual([
        { attempt: 1, trigger: 'manual', at: T0 },
        { attempt: 2, trigger: 'retry', at: T0 + 1000 },
        { attempt: 3, trigger: 'retry', at: T0 + 5000 },
      ]);
      const history = await scheduler.history('retrain');
      expect(history.map((r) => [r.attempt, r.trigger, r.status, r.startedAt, r.error])).toEqual([
        [3, 'retry', 'failed', iso(T0 + 5000), 'no labelled events (attempt 3)'],
        [2, 'retry', 'failed', iso(T0 + 1000), 'no labelled events (attempt 2)'],
        [1, 'manual', 'failed', iso(T0), 'no labelled events (attempt 1)'],
      ]);
      expect((await scheduler.jobs())[0]).toMatchObject({ name: 'retrain', retryAt: null, running: null });
    });

    it('stops retrying once an attempt succeeds, and keeps its result', async () => {
      const clock = new ManualClock(T0);
      const scheduler = await open(clock);
      scheduler.define({
        name: 'score',
        backoff: { initialMs: 10, factor: 2, maxMs: 10 },
        run: async (ctx) => {
          if (ctx.attempt === 1) throw new Error('warehouse busy');
          return { scored: 1200, attempt: ctx.attempt };
        },
      });
      const first = await scheduler.trigger('score');
      if (first.status === 'started') await first.finished;
      clock.advance(10);
      const [retry] = await scheduler.poll();
      expect(await retry?.finished).toMatchObject({ status: 'succeeded', attempt: 2, result: { scored: 1200, attempt: 2 } });
      clock.advance(3_600_000);
      expect(await scheduler.poll()).toEqual([]);
      expect(await scheduler.history('score', { limit: 1 })).toMatchObject([{ attempt: 2, status: 'succeeded' }]);
    });

    it('runs a job once when it is triggered twice at the same moment', async () => {
      const clock = new ManualClock(T0);
      const scheduler = await open(clock);
      const held = gate();
      let calls = 0;
      scheduler.define({
        name: 'backfill',
        run: async () => {
          calls++;
          await held.opened;
          return 'done';
        },
      });
      const [a, b] = await Promise.all([scheduler.trigger('backfill'), scheduler.trigger('backfill', { trigger: 'alert', reason: 'drift' })]);
      const results = [a, b].map((r) => r?.status).sort();
      expect(results).toEqual(['already-running', 'started']);
      expect(a?.run.runId).toBe(b?.run.runId);
      const listed = await scheduler.jobs();
      expect(listed[0]?.running?.runId).toBe(a?.run.runId);
      held.open();
      await scheduler.idle();
      expect(calls).toBe(1);
      expect(await scheduler.history('backfill')).toMatchObject([{ status: 'succeeded', result: 'done' }]);
      const again = await scheduler.trigger('backfill');
      expect(again.status).toBe('started');
    });

    it('runs a job once when two processes trigger it, or poll its due slot, at the same moment', async () => {
      const clock = new ManualClock(T0);
      const one = await open(clock, { owner: 'process-1' });
      const two = await open(clock, { owner: 'process-2' });
      const held = gate();
      const ranOn: string[] = [];
      for (const [scheduler, owner] of [
        [one, 'process-1'],
        [two, 'process-2'],
      ] as const) {
        scheduler.define({
          name: 'drift_report',
          schedule: '*/5 * * * *',
          run: async () => {
            ranOn.push(owner);
            await held.opened;
          },
        });
      }
      const triggered = await Promise.all([one.trigger('drift_report'), two.trigger('drift_report')]);
      expect(triggered.map((r) => r.status).sort()).toEqual(['already-running', 'started']);
      held.open();
      await Promise.all([one.idle(), two.idle()]);

      clock.set('2026-03-04T10:05:00Z');
      const polled = await Promise.all([one.poll(), two.poll()]);
      expect(polled.flat()).toHaveLength(1);
      await Promise.all([one.idle(), two.idle()]);
      expect(ranOn).toHaveLength(2);
      const history = await one.history('drift_report');
      expect(history.map((r) => r.trigger)).toEqual(['schedule', 'manual']);
      expect(history[0]?.scheduledFor).toBe('2026-03-04T10:05:00.000Z');
    });

    it('keeps schedule and history across a restart, and catches up a missed schedule once', async () => {
      const clock = new ManualClock(T0); // 10:01
      const define = (scheduler: Scheduler, calls: string[]) =>
        scheduler.define({
          name: 'retrain',
          schedule: '*/5 * * * *',
          run: async (ctx) => {
            calls.push(ctx.scheduledFor?.toISOString() ?? 'none');
          },
        });
      const calls: string[] = [];
      const before = await open(clock);
      define(before, calls);
      await before.start();
      await before.idle();
      expect(calls).toEqual([]);
      // Polls come every second; the first one at or after 10:05 runs the slot.
      for (let i = 0; i < 4 * 60; i++) {
        clock.advance(1000);
        await before.idle();
      }
      expect(calls).toEqual(['2026-03-04T10:05:00.000Z']);
      await close(before);

      // Down from 10:05 to 11:02: eleven slots (10:10 … 11:00) are missed.
      clock.set('2026-03-04T11:02:30Z');
      const after = await open(clock);
      define(after, calls);
      const [listed] = await after.jobs();
      expect(listed?.nextDueAt).toBe('2026-03-04T10:10:00.000Z');
      expect(listed?.lastRun?.scheduledFor).toBe('2026-03-04T10:05:00.000Z');
      await after.start();
      await after.idle();
      clock.advance(1000);
      await after.idle();
      expect(calls).toEqual(['2026-03-04T10:05:00.000Z', '2026-03-04T10:10:00.000Z']);
      expect((await after.jobs())[0]?.nextDueAt).toBe('2026-03-04T11:05:00.000Z');
      const history = await after.history('retrain');
      expect(history.map((r) => [r.trigger, r.scheduledFor, r.status])).toEqual([
        ['schedule', '2026-03-04T10:10:00.000Z', 'succeeded'],
        ['schedule', '2026-03-04T10:05:00.000Z', 'succeeded'],
      ]);
    });

    it('waits in stop() for a running job to finish', async () => {
      const clock = new ManualClock(T0);
      const scheduler = await open(clock);
      const held = gate();
      scheduler.define({ name: 'backfill', run: () => held.opened.then(() => 'complete') });
      await scheduler.start();
      const run = await scheduler.trigger('backfill');
      let stopped = false;
      const stopping = scheduler.stop().then(() => {
        stopped = true;
      });
      await turns();
      expect(stopped).toBe(false);
      await expect(scheduler.trigger('backfill')).rejects.toThrow("cannot trigger job 'backfill': the scheduler is stopped");
      held.open();
      await stopping;
      expect(await scheduler.history('backfill')).toMatchObject([{ runId: run.run.runId, status: 'succeeded', result: 'complete' }]);
    });

    it('aborts jobs still running when stop() reaches its bound, and records them failed', async () => {
      const clock = new ManualClock(T0);
      const scheduler = await open(clock, { stopTimeoutMs: 5000 });
      let reason: unknown;
      scheduler.define({
        name: 'backfill',
        retries: 0,
        run: (ctx) =>
          new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => {
              reason = ctx.signal.reason;
              reject(ctx.signal.reason as Error);
            });
          }),
      });
      await scheduler.trigger('backfill');
      const stopping = scheduler.stop();
      await turns();
      clock.advance(5000);
      await stopping;
      expect((reason as DOMException).name).toBe('AbortError');
      const [run] = await scheduler.history('backfill');
      expect(run?.status).toBe('failed');
      expect(run?.error).toContain('did not wait longer than 5000 ms');
    });

    it('aborts a run through its signal when it times out, and records the failure', async () => {
      const clock = new ManualClock(T0);
      const scheduler = await open(clock);
      let reason: unknown;
      scheduler.define({
        name: 'score',
        retries: 0,
        timeoutMs: 50,
        run: (ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              reason = ctx.signal.reason;
              resolve('too late');
            });
          }),
      });
      const started = await scheduler.trigger('score');
      if (started.status !== 'started') throw new Error('expected a start');
      clock.advance(49);
      await turns();
      expect(reason).toBeUndefined();
      clock.advance(1);
      const finished = await started.finished;
      expect((reason as DOMException).name).toBe('TimeoutError');
      expect(finished).toMatchObject({ status: 'failed', error: "job 'score' timed out after 50 ms", result: null });
    });

    it('takes over the lease of a process that died, marking its run abandoned', async () => {
      const deadClock = new ManualClock(T0);
      const dead = await open(deadClock, { owner: 'dead-process', leaseMs: 30_000 });
      const held = gate();
      const job = (calls: string[], owner: string): JobDefinition => ({
        name: 'retrain',
        retries: 0,
        run: async () => {
          calls.push(owner);
          if (owner === 'dead-process') await held.opened;
        },
      });
      const calls: string[] = [];
      dead.define(job(calls, 'dead-process'));
      const lost = await dead.trigger('retrain');

      // The dead process's clock stands still, so it never renews; the live one is 30 s on.
      const liveClock = new ManualClock(T0 + 29_999);
      const live = await open(liveClock, { owner: 'live-process', leaseMs: 30_000 });
      live.define(job(calls, 'live-process'));
      expect((await live.trigger('retrain')).status).toBe('already-running');
      liveClock.advance(1);
      const taken = await live.trigger('retrain');
      expect(taken.status).toBe('started');
      await live.idle();
      const old = (await live.history('retrain')).find((r) => r.runId === lost.run.runId);
      expect(old).toMatchObject({ status: 'abandoned', owner: 'dead-process' });
      expect(old?.error).toContain("lease of owner 'dead-process' expired at 2026-03-04T10:01:30.000Z");

      // The old process wakes up and finishes: its outcome does not overwrite the abandonment.
      held.open();
      await dead.idle();
      expect((await live.history('retrain')).map((r) => [r.owner, r.status])).toEqual([
        ['live-process', 'succeeded'],
        ['dead-process', 'abandoned'],
      ]);
      expect(logs.some((e) => e.message.includes('after its lease had expired'))).toBe(true);
      expect(calls).toEqual(['dead-process', 'live-process']);
    });

    it('abandons expired leases when polling, even with nothing due', async () => {
      const deadClock = new ManualClock(T0);
      const dead = await open(deadClock, { owner: 'dead-process', leaseMs: 30_000 });
      dead.define({ name: 'retrain', run: () => new Promise(() => undefined) });
      const lost = await dead.trigger('retrain');
      const live = await open(new ManualClock(T0 + 60_000), { owner: 'live-process' });
      live.define({ name: 'retrain', run: async () => undefined });
      expect(await live.poll()).toEqual([]);
      expect(await live.history('retrain')).toMatchObject([{ runId: lost.run.runId, status: 'abandoned' }]);
      expect((await live.jobs())[0]?.running).toBeNull();
      // Its run never settles; stop() gives up on it after the bound.
      const stopping = dead.stop({ timeoutMs: 1 });
      await turns();
      deadClock.advance(1);
      await stopping;
    });
  });
}
