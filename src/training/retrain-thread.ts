import type { Worker } from 'node:worker_threads';
import { workerBeside } from '../engine/module-source.js';
import { TandemError, type ErrorCode } from '../errors.js';
import type { Project } from '../features/project.js';
import { modelSpineSource, resolveModelFeatures } from '../features/model-features.js';
import type { Table } from '../io/table.js';
import { canonicalJson, sha256 } from '../models/artifact.js';
import type { Lineage, RegistryLocation } from '../registry/registry.js';
import { definitionsHash, plain } from './definitions-hash.js';
import type { GateDecision } from './retrain.js';

/** What a retrain thread needs: everything it cannot rebuild from the project file and the registry's place. */
export interface RetrainThreadTask {
  /** The project file the running server loaded; the thread loads it again. */
  readonly configPath: string;
  /** The server's registry (its `location`): the thread opens the same one. */
  readonly registry: RegistryLocation;
  readonly model: string;
  /** `retrainFingerprint` of the server's project: the thread refuses a project file edited since. */
  readonly fingerprint: string;
  readonly events: Readonly<Record<string, Table>>;
  readonly inputs?: Lineage['inputs'];
  readonly reason: string;
}

/** What the thread posts back. */
export type RetrainThreadMessage =
  | { readonly kind: 'decision'; readonly decision: GateDecision }
  | { readonly kind: 'error'; readonly code: ErrorCode | undefined; readonly message: string };

/**
 * What a retraining of `model` depends on in the project: its definitions (as in its lineage's
 * definitions hash), its retrain options and its shadow alias. Equal fingerprints mean a thread
 * that loaded the project file again retrains exactly what the server would.
 */
export function retrainFingerprint(project: Project, model: string): string {
  const definition = project.models.get(model);
  if (definition === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${model}'`);
  const features = resolveModelFeatures(project, definition);
  return sha256(
    canonicalJson({
      definitions: definitionsHash(definition, features, modelSpineSource(project, definition, features)),
      retrain: plain(definition.retrain),
      shadow: definition.serving.shadow?.alias ?? null,
    }),
  );
}

/**
 * Runs `retrainModel` on a worker thread of its own, so a server's event loop keeps answering
 * while the challenger's training set is built and its model fitted (seconds to minutes, and
 * synchronous). The thread loads the project file and opens the registry itself; the events are
 * copied to it. Errors come back with their code and message; `signal` stops the thread.
 */
export function retrainInThread(task: RetrainThreadTask, options: { readonly signal?: AbortSignal } = {}): Promise<GateDecision> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted(task.model, signal));
      return;
    }
    let settled = false;
    const worker = spawn();
    const onAbort = (): void => settle(() => reject(aborted(task.model, signal!)));
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
      void worker.terminate();
    };
    // Stopping the thread stops the retrain wherever it is; the registry only ever holds whole
    // versions (each registration is one transaction).
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: RetrainThreadMessage) => {
      if (message.kind === 'decision') settle(() => resolve(message.decision));
      else settle(() => reject(new TandemError(message.code ?? 'TANDEM_INTERNAL', message.message)));
    });
    worker.on('error', (error) => settle(() => reject(new TandemError('TANDEM_INTERNAL', `retrain thread failed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) => settle(() => reject(new TandemError('TANDEM_INTERNAL', `retrain thread exited (code ${code}) before deciding`))));
    worker.postMessage(task);
  });
}

function aborted(model: string, signal: AbortSignal): TandemError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return new TandemError('TANDEM_JOBS', `retrain of '${model}' stopped: ${reason}`);
}

function spawn(): Worker {
  // From the sources (tests, tsx) the worker is TypeScript too.
  return workerBeside(import.meta.url, 'retrain-worker');
}
