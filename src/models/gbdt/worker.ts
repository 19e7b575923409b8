import { parentPort } from 'node:worker_threads';
import { COMMAND_DETACH, CONTROL, runTasks, waitForChange, type Work } from './work.js';

// One message per fit attaches this worker to the fit's shared work area; it then serves
// batches synchronously (Atomics.wait on the epoch) until told to detach, and returns to its
// event loop to wait for the next fit.
parentPort!.on('message', (work: Work) => {
  const { control } = work;
  let epoch = 0;
  Atomics.add(control, CONTROL.attached, 1);
  Atomics.notify(control, CONTROL.attached);
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
