import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisPartitionStore } from '../../src/online/redis/redis-partition-store.js';
import { runPartitionStoreContract } from './partition-store.contract.js';

/** The real Redis on 127.0.0.1 (CI starts it); each harness gets its own namespace. */
const URL = process.env['TANDEM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

let counter = 0;
const namespace = () => `tandem-test-${process.pid}-${++counter}`;

runPartitionStoreContract('Redis', async () => {
  const ns = namespace();
  return {
    open: (options) => RedisPartitionStore.open({ ...options, url: URL, namespace: ns }),
    elapse: (ms) => sleep(ms),
    cleanup: async () => {},
  };
});

describe('Redis partition store', () => {
  const admin = new Redis(URL, { lazyConnect: true });
  afterAll(() => admin.quit());

  it('lays its keys out as documented, readable in redis-cli', async () => {
    const ns = namespace();
    const store = await RedisPartitionStore.open({ url: URL, namespace: ns, partitions: 4, entityTtlMs: 60_000 });
    try {
      await store.heartbeat('worker-a', 60_000);
      await store.acquire(3, 'worker-a', 60_000);
      await store.commit(3, 'worker-a', {
        entities: [{ view: 'card_stats', key: 'c:1', state: '{"s":[]}' }, { view: 'odd:view', key: 'k', state: '{}' }],
        checkpoint: { offset: 7, meta: { applied: 7 } },
        deadLetters: ['{"reason":"late"}'],
      });
      const keys = (await admin.keys(`${ns}:*`)).sort();
      expect(keys).toEqual([`${ns}:ckpt:3`, `${ns}:dead`, `${ns}:e:3:card_stats:c:1`, `${ns}:e:3:odd%3Aview:k`, `${ns}:lease:3`, `${ns}:meta`, `${ns}:workers`]);
      expect(JSON.parse((await admin.get(`${ns}:meta`))!)).toEqual({ partitions: 4, layout: 1 });
      expect(await admin.get(`${ns}:ckpt:3`)).toBe('{"offset":7,"meta":{"applied":7}}');
      const ttl = await admin.pttl(`${ns}:e:3:card_stats:c:1`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await store.clear();
      expect(await admin.keys(`${ns}:*`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('runs its scripts again after Redis forgot them', async () => {
    const store = await RedisPartitionStore.open({ url: URL, namespace: namespace(), partitions: 2 });
    try {
      expect(await store.acquire(0, 'worker-a', 60_000)).toBe(true);
      await admin.script('FLUSH');
      await store.commit(0, 'worker-a', { entities: [{ view: 'v', key: 'k', state: 's' }], checkpoint: { offset: 1, meta: {} } });
      expect(await store.read([{ partition: 0, view: 'v', key: 'k' }])).toEqual(['s']);
      await store.clear();
    } finally {
      await store.close();
    }
  });

  it('names the server it cannot reach, without its password, within the timeout', async () => {
    const started = Date.now();
    await expect(RedisPartitionStore.open({ url: 'redis://:secret@127.0.0.1:1', partitions: 2, commandTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'TANDEM_STATE_UNAVAILABLE',
      message: expect.stringMatching(/^the online state store at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(namespace 'tandem'\) cannot be reached/),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
