import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { ensurePlaced } from './placement.js';
import { sweepFused } from './sweep-fused.js';
import { sweepWindow } from './sweep.js';
import { permute } from './view-job.js';
import type { SweepTask } from './sweep-pool.js';

// One task per message: a window, a view's fused windows over a range of entities, a
// permutation to row order, or the fused sweep and the permutation for chunks of entities.
// Arrays arrive over shared memory, so results land in place.
parentPort!.on('message', (task: SweepTask) => {
  try {
    if (task.kind === 'permute') {
      permute(task.from, task.rows, task.to);
    } else if (task.kind === 'touch') {
      for (const array of task.arrays) {
        const words = new Int32Array(array.buffer, array.byteOffset, array.length * 2);
        for (let i = 0; i < words.length; i += 1024) Atomics.or(words, i, 0);
      }
    } else if (task.kind === 'collect') {
      collector()();
    } else if (task.kind === 'range') {
      const events = { times: task.times, num: task.num, any: [], starts: task.starts };
      const spine = { times: task.spineTimes, starts: task.spineStarts };
      const { chunks, claimed } = task;
      if (task.placement !== undefined) ensurePlaced(task.placement);
      // Every worker has the same task: each takes the next chunk nobody has taken, so they
      // finish together however unequal the chunks' costs are.
      for (let c = Atomics.add(claimed, 0, 1); c + 1 < chunks.length; c = Atomics.add(claimed, 0, 1)) {
        const fromKey = chunks[c]!;
        const toKey = chunks[c + 1]!;
        sweepFused(task.windows, events, spine, { num: task.grouped }, fromKey, toKey);
        const lo = task.spineStarts[fromKey]!;
        const hi = task.spineStarts[toKey]!;
        task.grouped.forEach((column, f) => {
          if (column !== undefined) permute(column, task.rows, task.out[f]!, lo, hi);
        });
      }
    } else {
      const events = { times: task.times, num: task.num, any: [], starts: task.starts };
      const spine = { times: task.spineTimes, starts: task.spineStarts };
      const out = { num: task.out, any: [] };
      if (task.fused) sweepFused(task.windows, events, spine, out, task.fromKey, task.toKey);
      else sweepWindow(task.windows[0]!, events, spine, out);
    }
    parentPort!.postMessage({ id: task.id });
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: error instanceof Error ? error.message : String(error) });
  }
});

let collect: (() => void) | undefined;

/**
 * The engine's full garbage collection: `gc` where the process runs with --expose-gc, else
 * taken from a context made while the flag is on for that moment only, so no other context
 * of the process (the worker's own, the application's) gets a `gc`. V8's flags are the
 * process's: another worker switching the flag off between this one's switching it on and
 * making its context leaves that context without `gc`, so it tries again. Nothing happens if
 * it never gets one: collecting here is only sooner than the worker's own collector would.
 */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') collect ??= exposed;
  for (let attempt = 0; collect === undefined && attempt < 100; attempt++) {
    setFlagsFromString('--expose-gc');
    try {
      collect = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  return collect ?? NOTHING;
}

const NOTHING = (): void => undefined;
