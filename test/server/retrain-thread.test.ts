import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { PiiProtector } from '../../src/ingest/pii.js';
import type { Project } from '../../src/features/project.js';
import type { JobRun } from '../../src/jobs/index.js';
import type { ModelRegistry } from '../../src/registry/registry.js';
import { SqliteRegistry } from '../../src/registry/sqlite/sqlite-registry.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import { tableFromRows } from '../../src/io/index.js';
import * as retrainThread from '../../src/training/retrain-thread.js';
import { registerTrained, trainModel } from '../../src/training/train.js';
import { generateOrders } from '../fixtures/orders.js';

// The real function, watched: which retrainings went to a thread, and with what.
vi.mock('../../src/training/retrain-thread.js', async (original) => {
  const actual = await original<typeof retrainThread>();
  return { ...actual, retrainInThread: vi.fn(actual.retrainInThread) };
});

const CONFIG = 'test/fixtures/orders.config.ts';
const TYPES = { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' } as const;
const dir = mkdtempSync(join(tmpdir(), 'tandem-serve-retrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Triggers `retrain:trees` and waits for the run to end. */
async function retrainOnce(runtime: OnlineRuntime): Promise<JobRun> {
  const started = await runtime.scheduler!.trigger('retrain:trees', { reason: 'test' });
  expect(started.status).toBe('started');
  let run = started.run;
  while (run.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    run = (await runtime.scheduler!.history('retrain:trees', { limit: 5 })).find((r) => r.runId === started.run.runId)!;
  }
  return run;
}

/** A registry holding a champion of `trees`, trained on other orders than the live ones. */
async function registryWithChampion(dir: string, project: Project): Promise<SqliteRegistry> {
  const registry = SqliteRegistry.open({ dir });
  const trained = await trainModel(project, 'trees', { events: { orders: tableFromRows(generateOrders(400, 5), TYPES) } });
  await registerTrained(registry, trained, ['champion']);
  return registry;
}

/** Ingests the live orders the challenger trains on (the champion's lineage names no files). */
async function ingestLive(runtime: OnlineRuntime): Promise<void> {
  const orders = generateOrders(3_000, 8);
  expect((await runtime.ingest('orders', orders)).accepted).toBe(orders.length);
  await runtime.catchUp();
}

// A block, not an arrow returning the mock: vitest would call a returned function after the test.
beforeEach(() => {
  vi.mocked(retrainThread.retrainInThread).mockClear();
});

describe('a server with its own registry and project file', () => {
  it('retrains on a thread, promotes there, and serves the new champion', async () => {
    const project = await loadProject(CONFIG);
    const dataDir = join(dir, 'state');
    await (await registryWithChampion(join(dataDir, 'registry'), project)).close();
    const runtime = await OnlineRuntime.start(project, {
      dataDir,
      pii: new PiiProtector(undefined),
      serving: { configPath: CONFIG, reloadIntervalMs: false, monitorIntervalMs: 3_600_000 },
    });
    try {
      await ingestLive(runtime);
      const run = await retrainOnce(runtime);
      expect(run).toMatchObject({ status: 'succeeded', result: { model: 'trees', challenger: 2, champion: 1 } });
      expect(retrainThread.retrainInThread).toHaveBeenCalledTimes(1);
      expect(vi.mocked(retrainThread.retrainInThread).mock.calls[0]![0]).toMatchObject({ configPath: CONFIG, registry: { kind: 'sqlite', dir: join(dataDir, 'registry') }, model: 'trees' });
      const promoted = (run.result as { promoted: boolean }).promoted;
      const answer = await runtime.predictor!.predict('trees', { customer: 'c1', amount: 50, country: 'NL' });
      expect(answer.version).toBe(promoted ? 2 : 1);
    } finally {
      await runtime.stop();
    }
  });
});

describe('a server given a registry by the program embedding it', () => {
  it('retrains on a thread that opens the same registry, wherever it lives', async () => {
    const project = await loadProject(CONFIG);
    const registry = await registryWithChampion(join(dir, 'elsewhere', 'models'), project);
    const runtime = await OnlineRuntime.start(project, {
      dataDir: join(dir, 'embedded'),
      pii: new PiiProtector(undefined),
      serving: { registry, configPath: CONFIG, reloadIntervalMs: false, monitorIntervalMs: 3_600_000 },
    });
    try {
      await ingestLive(runtime);
      const run = await retrainOnce(runtime);
      expect(run).toMatchObject({ status: 'succeeded', result: { model: 'trees', challenger: 2, champion: 1 } });
      expect(vi.mocked(retrainThread.retrainInThread).mock.calls.map((call) => call[0].registry)).toEqual([{ kind: 'sqlite', dir: join(dir, 'elsewhere', 'models') }]);
      // Registered by the thread, in the registry the program holds.
      expect((await registry.versions('trees')).map((v) => v.version)).toEqual([1, 2]);
    } finally {
      await runtime.stop();
      await registry.close();
    }
  });

  it('retrains in the process when the registry cannot say where it lives', async () => {
    const project = await loadProject(CONFIG);
    const inner = await registryWithChampion(join(dir, 'wrapped'), project);
    // A wrapper (instrumentation, a cache…): every method, no location.
    const wrapped = new Proxy(inner, {
      get: (target, key) => (key === 'location' ? undefined : typeof Reflect.get(target, key) === 'function' ? Reflect.get(target, key).bind(target) : Reflect.get(target, key)),
    }) as ModelRegistry;
    const runtime = await OnlineRuntime.start(project, {
      dataDir: join(dir, 'wrapped-state'),
      pii: new PiiProtector(undefined),
      serving: { registry: wrapped, configPath: CONFIG, reloadIntervalMs: false, monitorIntervalMs: 3_600_000 },
    });
    try {
      await ingestLive(runtime);
      const run = await retrainOnce(runtime);
      expect(run).toMatchObject({ status: 'succeeded', result: { model: 'trees', challenger: 2, champion: 1 } });
      expect(retrainThread.retrainInThread).not.toHaveBeenCalled();
      expect((await inner.versions('trees')).map((v) => v.version)).toEqual([1, 2]);
    } finally {
      await runtime.stop();
      await inner.close();
    }
  });
});
