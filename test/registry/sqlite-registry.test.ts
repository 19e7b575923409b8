import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteRegistry } from '../../src/registry/sqlite/sqlite-registry.js';
import { runRegistryContract } from './registry.contract.js';

runRegistryContract('embedded SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-registry-'));
  return {
    open: async () => SqliteRegistry.open({ dir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('embedded SQLite registry', () => {
  it('notices an artifact file changed on disk and refuses to serve it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-registry-'));
    const registry = SqliteRegistry.open({ dir });
    try {
      await registry.register({
        model: 'fraud',
        kind: 'prior',
        artifact: '{"mean":0.1}',
        metrics: {},
        lineage: {} as never,
      });
      const folder = join(dir, 'artifacts', 'fraud');
      const [file] = readdirSync(folder);
      writeFileSync(join(folder, file as string), '{"mean":0.9}');
      await expect(registry.artifact('fraud', 1)).rejects.toThrow('artifact of fraud@1 is damaged');
    } finally {
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
