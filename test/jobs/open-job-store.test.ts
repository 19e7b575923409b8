import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openJobStore } from '../../src/jobs/index.js';

describe('openJobStore', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('opens the embedded registry file under <data-dir>/registry', async () => {
    vi.stubEnv('TANDEM_REGISTRY_URL', '');
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-jobs-'));
    try {
      const store = await openJobStore(dataDir);
      await store.close();
      expect(existsSync(join(dataDir, 'registry', 'registry.db'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a registry URL that is not postgres://, quoting it', async () => {
    vi.stubEnv('TANDEM_REGISTRY_URL', 'mysql://db/tandem');
    await expect(openJobStore('.tandem')).rejects.toThrow("TANDEM_REGISTRY_URL must be a postgres:// URL, got 'mysql://db/tandem'");
  });
});
