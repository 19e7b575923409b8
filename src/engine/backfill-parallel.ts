import { availableParallelism } from 'node:os';
import type { Project } from '../features/project.js';
import { backfill, splitWindows, startBackfill, type BackfillOptions, type BackfillResult } from './backfill.js';
import type { Placement } from './placement.js';
import { planView, type ViewPlan, type WindowPlan } from './plan.js';
import { fusable } from './sweep-fused.js';
import { sharedArena } from './buffer-arena.js';
import { sweepPool } from './sweep-pool.js';
import { sweepWindow } from './sweep.js';
import { isTable } from './table-access.js';
import { finishView, groupColumns, placementOf, type ViewJob } from './view-job.js';
import { WorkingMemory } from './working-memory.js';

/**
 * `backfill` on both cores: while the main thread prepares the next view (entity ids,
 * grouping, feature functions, columns in grouped order), worker threads sweep the views
 * already prepared, over shared memory. Same values as `backfill`, bit for bit.
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
  // Working arrays come from the arena and go back to it as each view's sweeps are done. The
  // result's feature columns come from it too: fresh memory unless an earlier result was
  // released, a page fault per 4 KiB on first write (55,000 for 9 features of 3M rows; 5–10 µs
  // each on the machine of bench/README.md). They are taken at once and one worker faults them
  // in while this thread prepares the first view, when the workers would otherwise wait.
  const outputs: Float64Array[] = [];
  const working = new WorkingMemory(sharedArena, (n) => (outputs[0]?.length === n ? outputs.shift()! : sharedArena.float64(n)));
  try {
    // The workers place a view's rows themselves only when they sweep it in chunks.
    const run = startBackfill(project, options, working.memory, (view) => inChunks(planView(view)));
    for (let c = 0; c < run.outputs.columns; c++) outputs.push(sharedArena.float64(run.outputs.rows));
    const touched = outputs.length > 0 ? pool.touch([...outputs], 0) : Promise.resolve();
    const release = (job: ViewJob, arrays: ArrayBufferView[]): void => working.release(run, job, arrays);
    const pending: Promise<void>[] = [];
    for (const job of run.jobs()) {
      const arrays = working.taken();
      const { fused, single } = splitWindows(job);
      const chunked = inChunks(job.plan);
      // The first view's rows and columns are put in grouped order by a worker, which would
      // otherwise wait for this thread to do it, while this thread prepares the next view.
      const placement = chunked ? placementOf(job) : undefined;
      // Other columns to grouped order here, not in the workers: each worker would read every
      // row of each column to write its range's part (measured: 0.4 s more CPU a run; bench/README).
      groupColumns(job, placement);
      working.viewGrouped(run);
      if (chunked) {
        pending.push(
          inRanges(pool, job, threads, placement).then(() => {
            release(job, arrays);
            run.windowDone(fused.length);
          }),
        );
        // Let finished views' replies through, so their arrays go back to the arena before
        // the next view takes new ones.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const sweeps = single.map(async (window) => {
        if (canRunInWorker(job, window)) {
          await pool.sweep(window, job.sorted, job.spine, job.grouped);
        } else {
          sweepWindow(window, job.sorted, job.spine, job.grouped);
        }
        run.windowDone();
      });
      if (fused.length > 0) {
        // The fused sweep in entity ranges of about equal events, one per worker.
        const ranges = keyRanges(job.sorted.starts, threads);
        sweeps.push(
          Promise.all(ranges.map(([from, to]) => pool.sweepFused(fused, from, to, job.sorted, job.spine, job.grouped))).then(() => {
            run.windowDone(fused.length);
          }),
        );
      }
      pending.push(
        Promise.all(sweeps)
          .then(() => toRowOrder(pool, job))
          .then(() => release(job, arrays)),
      );
    }
    const settled = await Promise.allSettled([...pending, touched]);
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
    return run.result();
  } finally {
    working.finish();
    // The workers drop their handles on this run's arrays now, while they would otherwise
    // idle, so the result's columns are freed once the caller lets them go.
    pool.collect().catch(() => undefined);
  }
}

/**
 * A view whose windows all fuse: the workers share its entities in chunks and do the rest for
 * each — the sweep, features to row order — sent straight to them, so they start with no round
 * trip through this thread, which meanwhile prepares the next view.
 */
function inRanges(pool: ReturnType<typeof sweepPool>, job: ViewJob, threads: number, placement: Placement | undefined): Promise<unknown> {
  const { sorted, spine } = job;
  const ranges = keyRanges(sorted.starts, CHUNKS_PER_THREAD * threads);
  const chunks = new Uint32Array(new SharedArrayBuffer(4 * (ranges.length + 1)));
  ranges.forEach(([from, to], c) => {
    chunks[c] = from;
    chunks[c + 1] = to;
  });
  return pool.range(
    {
      windows: job.plan.windows,
      chunks,
      claimed: new Int32Array(new SharedArrayBuffer(4)),
      times: sorted.times,
      num: sorted.num,
      starts: sorted.starts,
      spineTimes: spine.times,
      spineStarts: spine.starts,
      grouped: job.grouped.num,
      rows: job.rows,
      out: job.out.num,
      ...(placement === undefined ? {} : { placement }),
    },
    threads,
  );
}

/** Whether the workers sweep a view in chunks (`inRanges`): every window fused, every feature a number. */
function inChunks(plan: ViewPlan): boolean {
  return plan.windows.every(fusable) && plan.features.every((f) => f.output === 'number');
}

/**
 * Chunks of about equal events per worker and view. Entities' costs differ (a week of a busy
 * merchant is not a week of a card), so two ranges of equal events finished up to a quarter
 * apart; claimed chunk by chunk, the workers finish together. More, smaller chunks measured
 * slower (each chunk's sweep sizes its deques and writes to rows the other worker writes too).
 */
const CHUNKS_PER_THREAD = 8;

/** Below this many event × window sweeps, a worker's start-up outweighs its help. */
const SMALL_WORK = 4_000_000;

function estimateWork(project: Project, options: BackfillOptions): number {
  const events = options.events;
  const rows = isTable(events) ? events.length : Object.values(events).reduce((sum, t) => sum + t.length, 0);
  const windows = options.views.reduce((sum, name) => sum + (project.views.has(name) ? planView(project.views.get(name)!).windows.length : 1), 0);
  return rows * windows;
}

/**
 * `finishView` with the number features moved to row order on the workers, one task per
 * feature; the others (arrays of values) on this thread.
 */
async function toRowOrder(pool: ReturnType<typeof sweepPool>, job: ViewJob): Promise<void> {
  const shared = (a: ArrayBufferView | undefined): boolean => a !== undefined && a.buffer instanceof SharedArrayBuffer;
  const onWorkers = shared(job.rows) ? job.plan.features.filter((f) => shared(job.grouped.num[f.index]) && shared(job.out.num[f.index])) : [];
  if (onWorkers.length === 0) return finishView(job);
  // The rows come from the arena, in shared memory already.
  const moves = onWorkers.map((f) => pool.permute(job.grouped.num[f.index]!, job.rows, job.out.num[f.index]!));
  finishView(job, job.plan.features.filter((f) => !onWorkers.includes(f)));
  await Promise.all(moves);
}

/** Entity groups cut into `parts` ranges [from, to) holding about equal numbers of events. */
export function keyRanges(starts: Uint32Array, parts: number): [number, number][] {
  const keys = starts.length - 1;
  const total = starts[keys]!;
  const ranges: [number, number][] = [];
  let from = 0;
  for (let p = 1; p <= parts && from < keys; p++) {
    let to = keys;
    if (p < parts) {
      // The first group boundary at or past p/parts of the events.
      const target = Math.ceil((total * p) / parts);
      let lo = from;
      let hi = keys;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! < target) lo = mid + 1;
        else hi = mid;
      }
      to = Math.max(from + 1, lo);
    }
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

/** Workers share numbers only: windows with values of other types run on the main thread. */
function canRunInWorker(job: ViewJob, window: WindowPlan): boolean {
  return window.columns.every((c) => c.storage === 'number') && window.features.every((f) => f.output === 'number') && job.grouped.num.every((a) => a === undefined || a.buffer instanceof SharedArrayBuffer);
}
