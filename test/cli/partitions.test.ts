import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisPartitionStore } from '../../src/online/redis/redis-partition-store.js';
import { captureCli } from './capture-cli.js';

const REDIS = process.env['TANDEM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('the CLI with --partitions', () => {
  const cli = captureCli();
  afterEach(() => vi.unstubAllEnvs());

  it('refuses to run a shared-state command without the shared services, naming the variable', async () => {
    vi.stubEnv('TANDEM_ONLINE_URL', '');
    vi.stubEnv('TANDEM_LOG_URL', '');
    expect(await cli.run('serve', '--config', 'test/fixtures/scaleout.config.ts', '--partitions', '4')).not.toBe(0);
    expect(cli.stderr).toContain('partitions are shared by several processes: set TANDEM_ONLINE_URL');
    cli.clear();
    expect(await cli.run('stream', '--config', 'test/fixtures/scaleout.config.ts', '--partitions', 'many')).not.toBe(0);
    expect(cli.stderr).toContain("the partition count (--partitions) must be a whole number from 1 to 4096, got 'many'");
  });

  it("prints the stream workers' dead letters from the state store", async () => {
    const namespace = `cli-dead-${process.pid}`;
    const store = await RedisPartitionStore.open({ url: REDIS, namespace, partitions: 2 });
    try {
      await store.acquire(1, 'w', 10_000);
      const letter = { source: 'pay', code: 'TANDEM_LATE_EVENT', reason: 'too late', stage: 'stream', payload: { partition: 1, offset: 7 } };
      await store.commit(1, 'w', { entities: [], checkpoint: { offset: 8, meta: {} }, deadLetters: [JSON.stringify(letter)] });
      vi.stubEnv('TANDEM_ONLINE_URL', REDIS);
      vi.stubEnv('TANDEM_ONLINE_NAMESPACE', namespace);
      expect(await cli.run('dead-letters', '--partitions', '2')).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual({ position: 0, ...letter });
    } finally {
      await store.clear();
      await store.close();
    }
  });
});
