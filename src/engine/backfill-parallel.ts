import { availableParallelism } from 'node:os';
import type { Project } from '../features/project.js';
import { backfill, startBackfill, type BackfillOptions, type BackfillResult } from './backfill.js';
import { planView, type WindowPlan } from './plan.js';
import { sweepPool } from './sweep-pool.js';
import { sweepWindow } from './sweep.js';
import { isTable } from './table-access.js';
import { finishView, type ViewJob } from './view-job.js';

/**
 * `backfill` on both cores: while the main thread prepares the next view (and evaluates its
 * feature functions), worker threads sweep the windows of the views already prepared, over
 * shared memory. Same values as `backfill`, bit for bit.
 */
export async function backfillParallel(
  project: Project,
  options: BackfillOptions & {
    /**
     * Worker threads to sweep with. @default the cores available, or 1 (no workers) when the
     * work is small enough that starting workers would cost more than it saves
     */
    readonly threads?: number;
  },
): Promise<BackfillResult> {
  const threads = Math.max(1, Math.min(options.threads ?? (estimateWork(project, options) < SMALL_WORK ? 1 : availableParallelism()), 8));
  if (threads === 1) return backfill(project, options);
  const pool = sweepPool(threads);
  const run = startBackfill(project, options, (n) => new Float64Array(new SharedArrayBuffer(8 * n)));
  const pending: Promise<void>[] = [];
  for (const job of run.jobs()) {
    const sweeps = job.plan.windows.map(async (window) => {
      if (canRunInWorker(job, window)) {
        await pool.sweep(job.plan.allowedLatenessMs, window, job.sorted, job.spine, job.grouped);
      } else {
        sweepWindow(job.plan.allowedLatenessMs, window, job.sorted, job.spine, job.grouped);
      }
      run.windowDone();
    });
    pending.push(Promise.all(sweeps).then(() => finishView(job)));
  }
  await Promise.all(pending);
  return run.result();
}

/** Below this many event × window sweeps, a worker's start-up outweighs its help. */
const SMALL_WORK = 4_000_000;

function estimateWork(project: Project, options: BackfillOptions): number {
  const events = options.events;
  const rows = isTable(events) ? events.length : Object.values(events).reduce((sum, t) => sum + t.length, 0);
  const windows = options.views.reduce((sum, name) => sum + (project.views.has(name) ? planView(project.views.get(name)!).windows.length : 1), 0);
  return rows * windows;
}

/** Workers share numbers only: windows with values of other types run on the main thread. */
function canRunInWorker(job: ViewJob, window: WindowPlan): boolean {
  return window.columns.every((c) => c.storage === 'number') && window.features.every((f) => f.output === 'number') && job.grouped.num.every((a) => a === undefined || a.buffer instanceof SharedArrayBuffer);
}
