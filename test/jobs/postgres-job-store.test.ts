import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresJobStore } from '../../src/jobs/postgres/postgres-job-store.js';
import { runJobStoreContract } from './job-store.contract.js';
import { runSchedulerContract } from './scheduler.contract.js';

/** The real PostgreSQL on 127.0.0.1 (CI starts it); each harness gets its own schema. */
const URL = process.env['TANDEM_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

let counter = 0;
const harness = async () => {
  const schema = `tandem_jobs_test_${process.pid}_${++counter}`;
  return {
    open: async () => PostgresJobStore.open({ connectionString: URL, schema }),
    cleanup: () => dropSchema(schema),
  };
};

runJobStoreContract('PostgreSQL', harness);
runSchedulerContract('PostgreSQL', harness);

describe('PostgreSQL job store', () => {
  it('migrates once when several processes open a new schema at the same moment', async () => {
    const { open, cleanup } = await harness();
    const stores = await Promise.all([open(), open(), open()]);
    try {
      await stores[0]?.saveJob(
        { name: 'retrain', schedule: null, retries: 0, backoff: { initialMs: 1, factor: 1, maxMs: 1 }, timeoutMs: null },
        { nextDueAt: null, now: new Date() },
      );
      expect((await stores[2]?.jobs())?.map((j) => j.name)).toEqual(['retrain']);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await cleanup();
    }
  });

  it('names the server it cannot reach, without its password', async () => {
    await expect(PostgresJobStore.open({ connectionString: 'postgres://u:secret@127.0.0.1:1/x' })).rejects.toThrow(
      /cannot open the job tables at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/,
    );
  });
});
