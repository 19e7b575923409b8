export type { Checkpoint, EntityRef, EntityStateWrite, PartitionCommit, PartitionStateStore, StoredDeadLetter } from './partition-store.js';
export { partitionOf } from './partition-of.js';
export { MemoryPartitionStore, type MemoryPartitionStoreOptions } from './memory-partition-store.js';
export { RedisPartitionStore, type RedisPartitionStoreOptions } from './redis/redis-partition-store.js';
export { openPartitionStore, type OpenPartitionStoreOptions } from './open-partition-store.js';
