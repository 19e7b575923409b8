import type pg from 'pg';
import { TandemError, type ErrorCode } from '../errors.js';

/**
 * Runs `work` in one transaction on a pooled client: BEGIN, COMMIT, or ROLLBACK on any error.
 * A TandemError from `work` passes as it is; any other failure (connecting included) becomes
 * a TandemError with `code`, prefixed by `what`.
 */
export async function inTransaction<T>(pool: pg.Pool, code: ErrorCode, what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    throw new TandemError(code, `${what}: ${(cause as Error).message}`, { cause });
  }
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof TandemError) throw error;
    throw new TandemError(code, `${what}: ${(error as Error).message}`, { cause: error });
  } finally {
    client.release();
  }
}
