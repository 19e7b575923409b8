import { join } from 'node:path';
import { TandemError } from '../errors.js';
import { PostgresRegistry } from './postgres/postgres-registry.js';
import type { ModelRegistry, RegistryLocation } from './registry.js';
import { SqliteRegistry } from './sqlite/sqlite-registry.js';

/**
 * The registry `TANDEM_REGISTRY_URL` names (postgres://…; in the schema
 * `TANDEM_REGISTRY_SCHEMA`, default public), or the embedded one in `<data-dir>/registry`.
 */
export async function openRegistry(dataDir: string): Promise<ModelRegistry> {
  const url = process.env['TANDEM_REGISTRY_URL'];
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new TandemError('TANDEM_USAGE', `TANDEM_REGISTRY_URL must be a postgres:// URL, got '${url}'`);
    const schema = process.env['TANDEM_REGISTRY_SCHEMA'];
    return PostgresRegistry.open({ connectionString: url, ...(schema ? { schema } : {}) });
  }
  return SqliteRegistry.open({ dir: join(dataDir, 'registry') });
}

/** The registry at `location` (a registry's own `location`): another connection to the same one. */
export async function openRegistryAt(location: RegistryLocation): Promise<ModelRegistry> {
  switch (location.kind) {
    case 'sqlite':
      return SqliteRegistry.open({ dir: location.dir });
    case 'postgres':
      return PostgresRegistry.open({ connectionString: location.connectionString, schema: location.schema });
  }
}

/** Where `openRegistry` looks, for messages. */
export function registryLocation(dataDir: string): string {
  return process.env['TANDEM_REGISTRY_URL'] ? 'the PostgreSQL registry (TANDEM_REGISTRY_URL)' : join(dataDir, 'registry');
}
