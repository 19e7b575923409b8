import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs `work` on a fresh in-memory DuckDB and closes it afterwards. A private instance per call
 * (about 10 ms to open) keeps concurrent reads and writes independent. The session time zone is
 * UTC so that timestamps written without a zone are read as UTC on every machine.
 */
export async function withDuckDB<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      await connection.run(`SET TimeZone = 'UTC'`);
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
