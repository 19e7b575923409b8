import { parentPort } from 'node:worker_threads';
import { loadProject } from '../config/load-project.js';
import { TandemError } from '../errors.js';
import { openRegistryAt } from '../registry/open-registry.js';
import { retrainModel } from './retrain.js';
import { retrainFingerprint, type RetrainThreadMessage, type RetrainThreadTask } from './retrain-thread.js';

// One task per thread (retrain-thread.ts): load the project file, check it is the one the server
// runs, retrain against the same registry, post the decision or the error, and let the thread end.
parentPort!.once('message', (task: RetrainThreadTask) => {
  void run(task).then((message) => parentPort!.postMessage(message));
});

async function run(task: RetrainThreadTask): Promise<RetrainThreadMessage> {
  try {
    const project = await loadProject(task.configPath);
    if (!project.models.has(task.model)) {
      throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${task.model}' is not in ${task.configPath} any more; restart the server to serve the file as it is`);
    }
    if (retrainFingerprint(project, task.model) !== task.fingerprint) {
      throw new TandemError(
        'TANDEM_CONFIG_LOAD',
        `${task.configPath} changed since the server loaded it (model '${task.model}', its features or its retrain options); restart the server to retrain with the new definitions`,
      );
    }
    const registry = await openRegistryAt(task.registry);
    try {
      const decision = await retrainModel(project, task.model, {
        registry,
        events: task.events,
        ...(task.inputs === undefined ? {} : { inputs: task.inputs }),
        configPath: task.configPath,
        reason: task.reason,
      });
      return { kind: 'decision', decision };
    } finally {
      await registry.close();
    }
  } catch (error) {
    return {
      kind: 'error',
      code: error instanceof TandemError ? error.code : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
