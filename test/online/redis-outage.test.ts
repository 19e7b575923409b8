import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { TandemError } from '../../src/errors.js';
import { RedisPartitionStore } from '../../src/online/redis/redis-partition-store.js';
import { PrivateServer } from '../support/private-services.js';

const TIMEOUT = 400;

/** How long `call` took to reject, and with what. */
async function rejection(call: () => Promise<unknown>): Promise<{ ms: number; error: TandemError }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { ms: performance.now() - started, error: error as TandemError };
  }
  throw new Error('the call did not reject');
}

describe('Redis partition store through an outage', () => {
  let redis: PrivateServer;
  afterAll(async () => {
    await redis?.stop();
  });

  it('rejects within the timeout while Redis is down or frozen, and works again once it is back, without reopening', async () => {
    redis = await PrivateServer.redis();
    const store = await RedisPartitionStore.open({ url: `redis://127.0.0.1:${redis.port}`, namespace: 'outage', partitions: 2, commandTimeoutMs: TIMEOUT });
    try {
      expect(await store.acquire(0, 'worker-a', 60_000)).toBe(true);
      await store.commit(0, 'worker-a', { entities: [{ view: 'card_stats', key: 'c1', state: 's1' }], checkpoint: { offset: 1, meta: {} } });

      // Frozen: the connection stays open and commands get no answer; each gives up after the timeout.
      redis.signal('SIGSTOP');
      const frozen = await rejection(() => store.read([{ partition: 0, view: 'card_stats', key: 'c1' }]));
      expect(frozen.error.code).toBe('TANDEM_STATE_UNAVAILABLE');
      expect(frozen.ms).toBeGreaterThanOrEqual(TIMEOUT - 50);
      expect(frozen.ms).toBeLessThan(TIMEOUT + 400);
      redis.signal('SIGCONT');
      expect(await store.read([{ partition: 0, view: 'card_stats', key: 'c1' }])).toEqual(['s1']);

      // Killed: every kind of call rejects, none hangs.
      await redis.kill();
      const calls: (() => Promise<unknown>)[] = [
        () => store.commit(0, 'worker-a', { entities: [{ view: 'card_stats', key: 'c1', state: 's2' }], checkpoint: { offset: 2, meta: {} } }),
        () => store.read([{ partition: 0, view: 'card_stats', key: 'c1' }]),
        () => store.acquire(1, 'worker-a', 60_000),
        () => store.heartbeat('worker-a', 60_000),
        () => store.checkpoint(0),
        async () => {
          for await (const chunk of store.entities(0)) void chunk;
        },
      ];
      for (const call of calls) {
        const { ms, error } = await rejection(call);
        expect(error).toMatchObject({ code: 'TANDEM_STATE_UNAVAILABLE', status: 503 });
        expect(error.message).toMatch(new RegExp(`^the online state store at redis://127\\.0\\.0\\.1:${redis.port} \\(namespace 'outage'\\) cannot be reached`));
        expect(ms).toBeLessThan(TIMEOUT + 400);
      }

      // Back (empty: it kept nothing, and forgot its scripts): the same store reconnects by itself.
      await redis.start();
      const deadline = Date.now() + 5000;
      while ((await store.owner(0).then(() => true, () => false)) === false) {
        if (Date.now() > deadline) throw new Error('the store did not reconnect within 5 s');
        await sleep(50);
      }
      expect(await store.acquire(0, 'worker-a', 60_000)).toBe(true);
      await store.commit(0, 'worker-a', { entities: [{ view: 'card_stats', key: 'c1', state: 's3' }], checkpoint: { offset: 3, meta: {} } });
      expect(await store.read([{ partition: 0, view: 'card_stats', key: 'c1' }])).toEqual(['s3']);
      expect(await store.checkpoint(0)).toEqual({ offset: 3, meta: {} });
    } finally {
      await store.close();
    }
  });

  it('closes at once while Redis is away, and refuses to open until it is back', async () => {
    await redis.start();
    const store = await RedisPartitionStore.open({ url: `redis://127.0.0.1:${redis.port}`, partitions: 2, commandTimeoutMs: TIMEOUT });
    await redis.kill();
    const started = performance.now();
    await store.close();
    expect(performance.now() - started).toBeLessThan(100);
    const { ms, error } = await rejection(() => RedisPartitionStore.open({ url: `redis://127.0.0.1:${redis.port}`, partitions: 2, commandTimeoutMs: TIMEOUT }));
    expect(error.code).toBe('TANDEM_STATE_UNAVAILABLE');
    expect(ms).toBeLessThan(TIMEOUT + 400);
  });
});
