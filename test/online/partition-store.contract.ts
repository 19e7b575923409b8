import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntityStateWrite, PartitionStateStore } from '../../src/online/partition-store.js';

/** How a backend's contract run opens stores on a fresh namespace. */
export interface PartitionStoreHarness {
  /** A store on this harness's namespace; every call sees the same state, as another process would. */
  open(options: { readonly partitions: number; readonly entityTtlMs?: number }): Promise<PartitionStateStore>;
  /** Let `ms` pass for leases, heartbeats and entity TTLs: advance the injected clock, or sleep. */
  elapse(ms: number): Promise<void>;
  /** Remove what the harness's stores wrote. */
  cleanup(): Promise<void>;
}

/** TTLs of these tests: short enough to keep the suite fast with real sleeps, long enough for a slow machine's round trips. */
const TTL = 200;

const entity = (view: string, key: string, state: string): EntityStateWrite => ({ view, key, state });
const checkpoint = (offset: number) => ({ offset, meta: { watermarks: [['orders', offset * 1000]], applied: offset } });

async function collect(store: PartitionStateStore, partition: number): Promise<{ chunks: number; entities: EntityStateWrite[] }> {
  let chunks = 0;
  const entities: EntityStateWrite[] = [];
  for await (const chunk of store.entities(partition)) {
    chunks++;
    entities.push(...chunk);
  }
  return { chunks, entities };
}

const byViewAndKey = (a: EntityStateWrite, b: EntityStateWrite) => (a.view === b.view ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.view < b.view ? -1 : 1);

/** The behaviour every partition state store backend must have (in-memory and Redis). */
export function runPartitionStoreContract(name: string, makeHarness: () => Promise<PartitionStoreHarness>): void {
  describe(`partition state store contract: ${name}`, () => {
    let harness: PartitionStoreHarness;
    let store: PartitionStateStore;
    const opened: PartitionStateStore[] = [];
    const open = async (options: { partitions: number; entityTtlMs?: number }) => {
      const another = await harness.open(options);
      opened.push(another);
      return another;
    };
    beforeEach(async () => {
      harness = await makeHarness();
      store = await open({ partitions: 4 });
    });
    afterEach(async () => {
      await store.clear();
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await harness.cleanup();
    });

    it('keeps the partition count it was created with, and refuses another until cleared', async () => {
      expect(store.partitions).toBe(4);
      await expect(open({ partitions: 8 })).rejects.toMatchObject({ code: 'TANDEM_USAGE', message: expect.stringMatching(/has 4 partitions, not 8/) });
      expect((await open({ partitions: 4 })).partitions).toBe(4);
      await store.clear();
      expect((await open({ partitions: 8 })).partitions).toBe(8);
    });

    it('lists live workers sorted, and drops one when its heartbeat expires or it leaves', async () => {
      await store.heartbeat('worker-b', TTL);
      await store.heartbeat('worker-a', TTL);
      await store.heartbeat('worker-c', 10 * TTL);
      expect(await store.workers()).toEqual(['worker-a', 'worker-b', 'worker-c']);
      await harness.elapse(TTL / 2);
      await store.heartbeat('worker-a', TTL);
      await harness.elapse(TTL * 0.75);
      expect(await store.workers()).toEqual(['worker-a', 'worker-c']);
      await store.leave('worker-c');
      expect(await store.workers()).toEqual(['worker-a']);
    });

    it('gives a lease to one owner at a time, renewable only by it, free again once released', async () => {
      expect(await store.owner(1)).toBeUndefined();
      expect(await store.acquire(1, 'worker-a', TTL)).toBe(true);
      expect(await store.acquire(1, 'worker-b', TTL)).toBe(false);
      expect(await store.acquire(1, 'worker-a', TTL)).toBe(true);
      expect(await store.owner(1)).toBe('worker-a');
      expect(await store.renew(1, 'worker-b', TTL)).toBe(false);
      expect(await store.renew(1, 'worker-a', TTL)).toBe(true);
      await store.release(1, 'worker-b');
      expect(await store.owner(1)).toBe('worker-a');
      expect(await store.owner(2)).toBeUndefined();
      await store.release(1, 'worker-a');
      expect(await store.owner(1)).toBeUndefined();
      expect(await store.renew(1, 'worker-a', TTL)).toBe(false);
      expect(await store.acquire(1, 'worker-b', TTL)).toBe(true);
    });

    it('lets a lease expire unless renewed, and then another owner take it', async () => {
      expect(await store.acquire(0, 'worker-a', TTL)).toBe(true);
      expect(await store.acquire(3, 'worker-a', TTL)).toBe(true);
      await harness.elapse(TTL * 0.6);
      expect(await store.renew(0, 'worker-a', TTL)).toBe(true);
      await harness.elapse(TTL * 0.6);
      expect(await store.owner(0)).toBe('worker-a');
      expect(await store.owner(3)).toBeUndefined();
      expect(await store.renew(3, 'worker-a', TTL)).toBe(false);
      expect(await store.acquire(3, 'worker-b', TTL)).toBe(true);
    });

    it('commits entities, checkpoint and dead letters together, read back by every store of the namespace', async () => {
      expect(await store.checkpoint(2)).toBeUndefined();
      await store.acquire(2, 'worker-a', 10 * TTL);
      await store.commit(2, 'worker-a', {
        entities: [entity('card_stats', 'c1', '{"s":[1]}'), entity('card_stats', 'c2', '{"s":[2]}'), entity('user_stats', 'c1', '{"s":[3]}')],
        checkpoint: checkpoint(17),
        deadLetters: ['{"reason":"late"}'],
      });
      const reader = await open({ partitions: 4 });
      expect(await reader.checkpoint(2)).toEqual(checkpoint(17));
      expect(await reader.read([
        { partition: 2, view: 'card_stats', key: 'c2' },
        { partition: 2, view: 'user_stats', key: 'c1' },
        { partition: 2, view: 'card_stats', key: 'c1' },
      ])).toEqual(['{"s":[2]}', '{"s":[3]}', '{"s":[1]}']);
      expect(await reader.deadLetters(0, 10)).toEqual([{ position: 0, letter: '{"reason":"late"}' }]);
      // A later write of one key in a commit wins; an empty commit still moves the checkpoint.
      await store.commit(2, 'worker-a', { entities: [entity('card_stats', 'c1', 'old'), entity('card_stats', 'c1', 'new')], checkpoint: checkpoint(18) });
      await store.commit(2, 'worker-a', { entities: [], checkpoint: checkpoint(19) });
      expect(await reader.read([{ partition: 2, view: 'card_stats', key: 'c1' }])).toEqual(['new']);
      expect(await reader.checkpoint(2)).toEqual(checkpoint(19));
    });

    it('refuses a commit by a worker without the lease and writes nothing of it', async () => {
      await store.acquire(0, 'worker-a', 10 * TTL);
      await store.commit(0, 'worker-a', { entities: [entity('card_stats', 'c1', 'a1')], checkpoint: checkpoint(5), deadLetters: ['d1'] });
      const refused = store.commit(0, 'worker-b', {
        entities: [entity('card_stats', 'c1', 'b1'), entity('card_stats', 'c2', 'b2')],
        checkpoint: checkpoint(9),
        deadLetters: ['d2'],
      });
      await expect(refused).rejects.toMatchObject({ code: 'TANDEM_LEASE_LOST', status: 409, message: expect.stringMatching(/worker 'worker-b' does not hold the lease of partition 0 \('worker-a' holds it now\)/) });
      await expect(store.commit(1, 'worker-a', { entities: [entity('card_stats', 'c9', 'a9')], checkpoint: checkpoint(1) })).rejects.toMatchObject({
        code: 'TANDEM_LEASE_LOST',
        message: expect.stringMatching(/nobody holds it now/),
      });
      expect(await store.read([
        { partition: 0, view: 'card_stats', key: 'c1' },
        { partition: 0, view: 'card_stats', key: 'c2' },
        { partition: 1, view: 'card_stats', key: 'c9' },
      ])).toEqual(['a1', undefined, undefined]);
      expect(await store.checkpoint(0)).toEqual(checkpoint(5));
      expect(await store.checkpoint(1)).toBeUndefined();
      expect((await store.deadLetters(0, 10)).map((d) => d.letter)).toEqual(['d1']);
    });

    it('fences out a worker whose lease expired, before and after another worker takes it over', async () => {
      await store.acquire(3, 'worker-a', TTL);
      await store.commit(3, 'worker-a', { entities: [entity('card_stats', 'c1', 'a1')], checkpoint: checkpoint(10) });
      await harness.elapse(TTL * 1.5);
      const late = { entities: [entity('card_stats', 'c1', 'a2')], checkpoint: checkpoint(20) };
      await expect(store.commit(3, 'worker-a', late)).rejects.toMatchObject({ code: 'TANDEM_LEASE_LOST' });
      expect(await store.acquire(3, 'worker-b', 10 * TTL)).toBe(true);
      await store.commit(3, 'worker-b', { entities: [entity('card_stats', 'c1', 'b1')], checkpoint: checkpoint(15) });
      await expect(store.commit(3, 'worker-a', late)).rejects.toMatchObject({ code: 'TANDEM_LEASE_LOST', details: { holder: 'worker-b' } });
      expect(await store.read([{ partition: 3, view: 'card_stats', key: 'c1' }])).toEqual(['b1']);
      expect(await store.checkpoint(3)).toEqual(checkpoint(15));
    });

    it('refuses a commit that does not follow the stored checkpoint, writing nothing, so lost commits are noticed', async () => {
      await store.acquire(2, 'worker-a', 10 * TTL);
      await store.commit(2, 'worker-a', { entities: [entity('card_stats', 'c1', 'one')], checkpoint: checkpoint(4), follows: -1 });
      // As after a store restart that lost the commit at 4: the writer believes it follows 9.
      const ahead = store.commit(2, 'worker-a', { entities: [entity('card_stats', 'c1', 'three')], checkpoint: checkpoint(12), deadLetters: ['x'], follows: 9 });
      await expect(ahead).rejects.toMatchObject({ code: 'TANDEM_LEASE_LOST', details: { partition: 2, follows: 9, found: 4 } });
      expect(await store.read([{ partition: 2, view: 'card_stats', key: 'c1' }])).toEqual(['one']);
      expect(await store.checkpoint(2)).toEqual(checkpoint(4));
      expect(await store.deadLetters(0, 10)).toEqual([]);
      await expect(store.commit(2, 'worker-a', { entities: [], checkpoint: checkpoint(5), follows: -1 })).rejects.toMatchObject({ details: { found: 4 } });
      await store.commit(2, 'worker-a', { entities: [entity('card_stats', 'c1', 'two')], checkpoint: checkpoint(9), deadLetters: ['d'], follows: 4 });
      expect(await store.read([{ partition: 2, view: 'card_stats', key: 'c1' }])).toEqual(['two']);
      expect((await store.deadLetters(0, 10)).map((d) => d.letter)).toEqual(['d']);
      await expect(store.commit(2, 'worker-a', { entities: [], checkpoint: checkpoint(10), follows: 1.5 })).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
    });

    it("lists exactly a partition's last committed state per key, across many chunks", async () => {
      await store.acquire(1, 'worker-a', 100 * TTL);
      await store.acquire(2, 'worker-a', 100 * TTL);
      const first = Array.from({ length: 5000 }, (_, i) => entity(i % 2 === 0 ? 'card_stats' : 'user_stats', `k${i}`, `{"v":1,"i":${i}}`));
      await store.commit(1, 'worker-a', { entities: first, checkpoint: checkpoint(1) });
      const second = first.filter((_, i) => i % 3 === 0).map((e) => ({ ...e, state: e.state.replace('"v":1', '"v":2') }));
      await store.commit(1, 'worker-a', { entities: second, checkpoint: checkpoint(2) });
      await store.commit(2, 'worker-a', { entities: [entity('card_stats', 'k0', 'elsewhere')], checkpoint: checkpoint(1) });
      const { chunks, entities } = await collect(store, 1);
      expect(chunks).toBeGreaterThan(1);
      const expected = first.map((e, i) => (i % 3 === 0 ? { ...e, state: e.state.replace('"v":1', '"v":2') } : e));
      expect(entities.sort(byViewAndKey)).toEqual(expected.sort(byViewAndKey));
      expect(await collect(store, 0)).toEqual({ chunks: 0, entities: [] });
    });

    it('commits 10 000 entities in one step', async () => {
      await store.acquire(0, 'worker-a', 100 * TTL);
      const many = Array.from({ length: 10_000 }, (_, i) => entity('card_stats', `card-${i}`, JSON.stringify({ s: [{ sum: i, count: i % 7 }] })));
      const deadLetters = Array.from({ length: 2500 }, (_, i) => `{"n":${i}}`);
      await store.commit(0, 'worker-a', { entities: many, checkpoint: checkpoint(10_000), deadLetters });
      expect((await collect(store, 0)).entities.length).toBe(10_000);
      expect(await store.read([{ partition: 0, view: 'card_stats', key: 'card-9999' }])).toEqual([many[9999]!.state]);
      expect((await store.deadLetters(2499, 10)).map((d) => d.letter)).toEqual(['{"n":2499}']);
    });

    it('reads many entities at once, undefined where there is none, in the order asked', async () => {
      await store.acquire(0, 'worker-a', 10 * TTL);
      await store.commit(0, 'worker-a', { entities: [entity('card_stats', 'c1', 's1'), entity('card_stats', 'c3', 's3')], checkpoint: checkpoint(1) });
      expect(await store.read([])).toEqual([]);
      expect(await store.read([
        { partition: 0, view: 'card_stats', key: 'c3' },
        { partition: 0, view: 'card_stats', key: 'c2' },
        { partition: 1, view: 'card_stats', key: 'c1' },
        { partition: 0, view: 'user_stats', key: 'c1' },
        { partition: 0, view: 'card_stats', key: 'c1' },
      ])).toEqual(['s3', undefined, undefined, undefined, 's1']);
    });

    it('gives dead letters back oldest first, from any position', async () => {
      await store.acquire(0, 'worker-a', 10 * TTL);
      await store.acquire(1, 'worker-a', 10 * TTL);
      await store.commit(0, 'worker-a', { entities: [], checkpoint: checkpoint(1), deadLetters: ['d0', 'd1'] });
      await store.commit(1, 'worker-a', { entities: [], checkpoint: checkpoint(1), deadLetters: ['d2'] });
      await store.commit(0, 'worker-a', { entities: [], checkpoint: checkpoint(2), deadLetters: ['d3', 'd4'] });
      expect(await store.deadLetters(0, 100)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4'].map((letter, position) => ({ position, letter })));
      expect(await store.deadLetters(1, 2)).toEqual([{ position: 1, letter: 'd1' }, { position: 2, letter: 'd2' }]);
      expect(await store.deadLetters(5, 10)).toEqual([]);
    });

    it('keeps views and keys with separators, escapes and any Unicode apart and exact', async () => {
      const odd = [
        entity('card_stats', 'a:b', 's1'),
        entity('card_stats:a', 'b', 's2'),
        entity('card_stats', 'a\u001fb:c', 's3'),
        entity('card%3Astats', 'a', 's4'),
        entity('card_stats', '', 's5'),
        entity('card_stats', '*?[x]\\', 's6'),
        entity('card_stats', 'zürich 東京 😀\n', 'ünïcode state 😀'),
        entity('%', ':', 's8'),
      ];
      await store.acquire(2, 'worker-a', 10 * TTL);
      await store.commit(2, 'worker-a', { entities: odd, checkpoint: checkpoint(1) });
      expect(await store.read(odd.map(({ view, key }) => ({ partition: 2, view, key })))).toEqual(odd.map((e) => e.state));
      expect((await collect(store, 2)).entities.sort(byViewAndKey)).toEqual([...odd].sort(byViewAndKey));
      await expect(store.commit(2, 'worker-a', { entities: [entity('card_stats', 'a\ud800', 'x')], checkpoint: checkpoint(2) })).rejects.toMatchObject({
        code: 'TANDEM_INVALID_KEY',
      });
      expect(await store.checkpoint(2)).toEqual(checkpoint(1));
    });

    it('forgets entities idle longer than the entity TTL, but keeps the checkpoint', async () => {
      const expiring = await open({ partitions: 4, entityTtlMs: TTL });
      await expiring.acquire(0, 'worker-a', 100 * TTL);
      await expiring.commit(0, 'worker-a', { entities: [entity('card_stats', 'busy', 'b1'), entity('card_stats', 'idle', 'i1')], checkpoint: checkpoint(1) });
      await harness.elapse(TTL * 0.6);
      await expiring.commit(0, 'worker-a', { entities: [entity('card_stats', 'busy', 'b2')], checkpoint: checkpoint(2) });
      await harness.elapse(TTL * 0.6);
      const refs = ['busy', 'idle'].map((key) => ({ partition: 0, view: 'card_stats', key }));
      expect(await expiring.read(refs)).toEqual(['b2', undefined]);
      expect((await collect(expiring, 0)).entities).toEqual([entity('card_stats', 'busy', 'b2')]);
      expect(await expiring.checkpoint(0)).toEqual(checkpoint(2));
    });

    it('refuses partitions, TTLs and offsets out of range with a usage error', async () => {
      await expect(store.acquire(4, 'worker-a', TTL)).rejects.toMatchObject({ code: 'TANDEM_USAGE', message: expect.stringMatching(/partition 4 does not exist; the store has partitions 0 to 3/) });
      await expect(store.read([{ partition: -1, view: 'v', key: 'k' }])).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
      await expect(store.acquire(0, 'worker-a', 0)).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
      await expect(store.heartbeat('worker-a', 1.5)).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
      await expect(store.renew(0, 'worker-a', 1e20)).rejects.toMatchObject({ code: 'TANDEM_USAGE', message: expect.stringMatching(/from 1 to 2\^42, got 100000000000000000000/) });
      await store.acquire(0, 'worker-a', TTL);
      await expect(store.commit(0, 'worker-a', { entities: [], checkpoint: { offset: -1, meta: {} } })).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
      await expect(open({ partitions: 0 })).rejects.toMatchObject({ code: 'TANDEM_USAGE' });
    });

    it('rejects calls after close as unavailable', async () => {
      const closing = await harness.open({ partitions: 4 });
      await closing.close();
      await expect(closing.owner(0)).rejects.toMatchObject({ code: 'TANDEM_STATE_UNAVAILABLE', status: 503 });
    });
  });
}
