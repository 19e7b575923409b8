import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresRegistry } from '../../src/registry/postgres/postgres-registry.js';
import { runRegistryContract } from './registry.contract.js';

/** The real PostgreSQL on 127.0.0.1 (CI starts it); each run gets its own schema. */
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
runRegistryContract('PostgreSQL', async () => {
  const schema = `tandem_test_${process.pid}_${++counter}`;
  return {
    open: async () => PostgresRegistry.open({ connectionString: URL, schema }),
    cleanup: () => dropSchema(schema),
  };
});

describe('PostgreSQL registry', () => {
  it('gives concurrent registrations of one model distinct, gapless version numbers', async () => {
    const schema = `tandem_test_${process.pid}_race`;
    const a = await PostgresRegistry.open({ connectionString: URL, schema });
    const b = await PostgresRegistry.open({ connectionString: URL, schema });
    try {
      const entry = (i: number) => ({ model: 'fraud', kind: 'prior', artifact: `{"i":${i}}`, metrics: {}, lineage: {} as never });
      const saved = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).register(entry(i))));
      expect(saved.map((v) => v.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it('names the server it cannot reach, without its password', async () => {
    await expect(PostgresRegistry.open({ connectionString: 'postgres://u:secret@127.0.0.1:1/x' })).rejects.toThrow(
      /cannot open the model registry at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/,
    );
  });
});
