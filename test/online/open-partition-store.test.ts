import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryPartitionStore } from '../../src/online/memory-partition-store.js';
import { openPartitionStore } from '../../src/online/open-partition-store.js';
import { RedisPartitionStore } from '../../src/online/redis/redis-partition-store.js';

describe('openPartitionStore', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('keeps the state in the process when TANDEM_ONLINE_URL is unset', async () => {
    vi.stubEnv('TANDEM_ONLINE_URL', '');
    const store = await openPartitionStore({ partitions: 4, namespace: `open-memory-${process.pid}` });
    expect(store).toBeInstanceOf(MemoryPartitionStore);
    expect(store.partitions).toBe(4);
    await store.clear();
    await store.close();
  });

  it('opens Redis for a redis:// URL', async () => {
    vi.stubEnv('TANDEM_ONLINE_URL', process.env['TANDEM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    const store = await openPartitionStore({ partitions: 2, namespace: `open-redis-${process.pid}` });
    try {
      expect(store).toBeInstanceOf(RedisPartitionStore);
      expect(await store.acquire(1, 'worker-a', 10_000)).toBe(true);
      await store.clear();
    } finally {
      await store.close();
    }
  });

  it('refuses another scheme, saying which ones work', async () => {
    vi.stubEnv('TANDEM_ONLINE_URL', 'memcached://127.0.0.1:11211');
    await expect(openPartitionStore({ partitions: 2 })).rejects.toMatchObject({
      code: 'TANDEM_USAGE',
      message: "TANDEM_ONLINE_URL must be a redis:// or rediss:// URL (or unset, for in-process state), got one starting 'memcached:'",
    });
  });
});
