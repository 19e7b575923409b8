import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteJobStore } from '../../src/jobs/sqlite/sqlite-job-store.js';
import { SqliteRegistry } from '../../src/registry/sqlite/sqlite-registry.js';
import { runJobStoreContract } from './job-store.contract.js';
import { runSchedulerContract } from './scheduler.contract.js';

const harness = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-jobs-'));
  return {
    open: async () => SqliteJobStore.open({ dir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

runJobStoreContract('embedded SQLite', harness);
runSchedulerContract('embedded SQLite', harness);

describe('embedded SQLite job store', () => {
  it('shares the registry file with the model registry, each with its own tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-jobs-'));
    const registry = SqliteRegistry.open({ dir });
    const jobs = SqliteJobStore.open({ dir });
    try {
      await jobs.saveJob(
        { name: 'retrain', schedule: '@daily', retries: 2, backoff: { initialMs: 1000, factor: 4, maxMs: 300_000 }, timeoutMs: null },
        { nextDueAt: null, now: new Date() },
      );
      await registry.register({ model: 'fraud', kind: 'prior', artifact: '{}', metrics: {}, lineage: {} as never });
      expect((await jobs.jobs()).map((j) => j.name)).toEqual(['retrain']);
      expect((await registry.versions('fraud')).map((v) => v.version)).toEqual([1]);
    } finally {
      await jobs.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
