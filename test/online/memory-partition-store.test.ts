import { describe, expect, it } from 'vitest';
import { MemoryPartitionStore } from '../../src/online/memory-partition-store.js';
import { runPartitionStoreContract } from './partition-store.contract.js';

let counter = 0;

runPartitionStoreContract('in-memory', async () => {
  const namespace = `memory-test-${++counter}`;
  let now = 1_700_000_000_000;
  return {
    open: (options) => MemoryPartitionStore.open({ ...options, namespace, now: () => now }),
    elapse: async (ms) => {
      now += ms;
    },
    cleanup: async () => {},
  };
});

describe('in-memory partition store', () => {
  it('keeps namespaces of one process apart', async () => {
    const a = await MemoryPartitionStore.open({ partitions: 2, namespace: 'memory-apart-a' });
    const b = await MemoryPartitionStore.open({ partitions: 8, namespace: 'memory-apart-b' });
    try {
      await a.acquire(0, 'worker-a', 60_000);
      await a.commit(0, 'worker-a', { entities: [{ view: 'v', key: 'k', state: 's' }], checkpoint: { offset: 1, meta: {} } });
      expect(await b.read([{ partition: 0, view: 'v', key: 'k' }])).toEqual([undefined]);
      expect(await b.owner(0)).toBeUndefined();
    } finally {
      await a.clear();
      await b.clear();
    }
  });
});
