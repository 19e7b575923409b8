import { parentPort } from 'node:worker_threads';
import { sweepWindow } from './sweep.js';
import type { SweepTask } from './sweep-pool.js';

// Sweeps one window per message; arrays arrive over shared memory, so results land in place.
parentPort!.on('message', (task: SweepTask) => {
  try {
    sweepWindow(
      task.latenessMs,
      task.window,
      { times: task.times, num: task.num, any: [], starts: task.starts },
      { times: task.spineTimes, starts: task.spineStarts },
      { num: task.out, any: [] },
    );
    parentPort!.postMessage({ id: task.id });
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: error instanceof Error ? error.message : String(error) });
  }
});
