import { parentPort } from 'node:worker_threads';
import { runBinningTasks } from './binning-tasks.js';
import { COMMAND_DETACH, CONTROL, runTasks, waitForChange, type WorkerStart } from './work.js';

// One message per fit attaches this worker to the fit's shared work area: it first takes the
// binning tasks the caller has not begun, then serves batches synchronously (Atomics.wait on the
// epoch) until told to detach, and returns to its event loop to wait for the next fit.
parentPort!.on('message', (start: WorkerStart) => {
  const { work } = start;
  const { control } = work;
  let epoch = 0;
  Atomics.add(control, CONTROL.attached, 1);
  Atomics.notify(control, CONTROL.attached);
  if (start.columns !== undefined) {
    try {
      runBinningTasks(work, start.columns);
    } catch {
      // Already flagged in `control` for the caller.
    }
    // The raw values are not needed any more; let a copy be collected.
    start.columns = undefined;
  }
  for (;;) {
    waitForChange(control, CONTROL.epoch, epoch);
    epoch = Atomics.load(control, CONTROL.epoch);
    if (Atomics.load(control, CONTROL.command) === COMMAND_DETACH) return;
    try {
      runTasks(work);
    } catch {
      Atomics.store(control, CONTROL.failed, 1);
    }
    Atomics.add(control, CONTROL.done, 1);
    Atomics.notify(control, CONTROL.done);
  }
});
