import { join } from 'node:path';
import { TandemError } from '../errors.js';
import type { JobStore } from './job-store.js';
import { PostgresJobStore } from './postgres/postgres-job-store.js';
import { SqliteJobStore } from './sqlite/sqlite-job-store.js';

/**
 * The job tables next to the model registry: in the PostgreSQL database `TANDEM_REGISTRY_URL`
 * names (schema `TANDEM_REGISTRY_SCHEMA`), or in the embedded `<data-dir>/registry/registry.db`.
 */
export async function openJobStore(dataDir: string): Promise<JobStore> {
  const url = process.env['TANDEM_REGISTRY_URL'];
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new TandemError('TANDEM_USAGE', `TANDEM_REGISTRY_URL must be a postgres:// URL, got '${url}'`);
    const schema = process.env['TANDEM_REGISTRY_SCHEMA'];
    return PostgresJobStore.open({ connectionString: url, ...(schema ? { schema } : {}) });
  }
  return SqliteJobStore.open({ dir: join(dataDir, 'registry') });
}
