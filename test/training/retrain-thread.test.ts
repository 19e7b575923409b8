import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import type { Project } from '../../src/features/project.js';
import { TandemError } from '../../src/errors.js';
import { tableFromRows } from '../../src/io/index.js';
import type { Table } from '../../src/io/table.js';
import { SqliteRegistry } from '../../src/registry/sqlite/sqlite-registry.js';
import type { RegistryLocation } from '../../src/registry/registry.js';
import { retrainModel } from '../../src/training/retrain.js';
import { retrainFingerprint, retrainInThread } from '../../src/training/retrain-thread.js';
import { registerTrained, trainModel } from '../../src/training/train.js';
import { generateOrders } from '../fixtures/orders.js';

const CONFIG = 'test/fixtures/orders.config.ts';
const EDITED = 'test/fixtures/orders-edited.config.ts';
const TYPES = { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' } as const;
const dir = mkdtempSync(join(tmpdir(), 'tandem-retrain-thread-'));
const history = { orders: tableFromRows(generateOrders(1_500, 3), TYPES) };
// The challenger trains on more, and different, orders than the champion did.
const events: Record<string, Table> = { orders: tableFromRows(generateOrders(2_500, 9), TYPES) };
let project: Project;

/** A data directory whose registry holds `model` trained on the history, as champion. */
/** The embedded registry of a data directory, as a thread is told where to open it. */
const at = (dataDir: string): RegistryLocation => ({ kind: 'sqlite', dir: join(dataDir, 'registry') });

async function dataDirWithChampion(name: string, model: string): Promise<string> {
  const dataDir = join(dir, name);
  const registry = SqliteRegistry.open({ dir: join(dataDir, 'registry') });
  try {
    const trained = await trainModel(project, model, { events: history });
    await registerTrained(registry, trained, ['champion']);
  } finally {
    await registry.close();
  }
  return dataDir;
}

beforeAll(async () => {
  project = await loadProject(CONFIG);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('retraining on a thread of its own', () => {
  it('decides and registers exactly what retraining in the process does', async () => {
    const threaded = await dataDirWithChampion('threaded', 'trees');
    const here = await dataDirWithChampion('here', 'trees');
    const decision = await retrainInThread({
      configPath: CONFIG,
      registry: at(threaded),
      model: 'trees',
      fingerprint: retrainFingerprint(project, 'trees'),
      events,
      reason: 'test',
    });
    const registry = SqliteRegistry.open({ dir: join(here, 'registry') });
    const threadRegistry = SqliteRegistry.open({ dir: join(threaded, 'registry') });
    try {
      const expected = await retrainModel(project, 'trees', { registry, events, configPath: CONFIG, reason: 'test' });
      expect(decision).toEqual(expected);
      expect(decision).toMatchObject({ model: 'trees', challenger: 2, champion: 1 });
      // The same bytes: the thread trained the same model on the same events.
      expect(await threadRegistry.artifact('trees', 2)).toBe(await registry.artifact('trees', 2));
      expect((await threadRegistry.audit('trees')).map((e) => e.action)).toEqual((await registry.audit('trees')).map((e) => e.action));
    } finally {
      await registry.close();
      await threadRegistry.close();
    }
  });

  it('refuses a project file edited since the server loaded it, and says what to do', async () => {
    const dataDir = await dataDirWithChampion('edited', 'baseline');
    const retrain = retrainInThread({
      configPath: EDITED,
      registry: at(dataDir),
      model: 'baseline',
      fingerprint: retrainFingerprint(project, 'baseline'),
      events,
      reason: 'test',
    });
    await expect(retrain).rejects.toThrow(TandemError);
    await expect(retrain).rejects.toMatchObject({ code: 'TANDEM_CONFIG_LOAD', message: expect.stringMatching(/changed since the server loaded it.*restart the server/) });
  });

  it('brings errors back with their code: a model the file no longer has', async () => {
    const retrain = retrainInThread({ configPath: EDITED, registry: at(join(dir, 'none')), model: 'trees', fingerprint: retrainFingerprint(project, 'trees'), events, reason: 'test' });
    await expect(retrain).rejects.toMatchObject({ code: 'TANDEM_UNKNOWN_MODEL', message: expect.stringContaining("model 'trees' is not in") });
  });

  it('stops when its signal aborts, leaving the registry without a half version', async () => {
    const dataDir = await dataDirWithChampion('aborted', 'trees');
    const controller = new AbortController();
    const retrain = retrainInThread(
      { configPath: CONFIG, registry: at(dataDir), model: 'trees', fingerprint: retrainFingerprint(project, 'trees'), events, reason: 'test' },
      { signal: controller.signal },
    );
    // Long before the thread has loaded the project file, let alone registered anything.
    setTimeout(() => controller.abort(new Error('the job timed out')), 50);
    await expect(retrain).rejects.toMatchObject({ code: 'TANDEM_JOBS', message: "retrain of 'trees' stopped: the job timed out" });
    const registry = SqliteRegistry.open({ dir: join(dataDir, 'registry') });
    try {
      expect((await registry.versions('trees')).map((v) => v.version)).toEqual([1]);
    } finally {
      await registry.close();
    }
  });
});
