import { TandemError } from '../errors.js';
import { MemoryPartitionStore } from './memory-partition-store.js';
import type { PartitionStateStore } from './partition-store.js';
import { RedisPartitionStore } from './redis/redis-partition-store.js';

export interface OpenPartitionStoreOptions {
  readonly partitions: number;
  /** @default 'tandem' */
  readonly namespace?: string;
  /** See RedisPartitionStoreOptions.entityTtlMs. @default undefined (never) */
  readonly entityTtlMs?: number;
}

/**
 * The online state store the environment names: Redis when `TANDEM_ONLINE_URL` is a redis://
 * or rediss:// URL, the process's memory when it is unset or empty (one process only).
 */
export async function openPartitionStore(options: OpenPartitionStoreOptions): Promise<PartitionStateStore> {
  const url = process.env['TANDEM_ONLINE_URL'];
  if (url === undefined || url === '') return MemoryPartitionStore.open(options);
  if (!/^rediss?:\/\//.test(url)) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? url;
    throw new TandemError('TANDEM_USAGE', `TANDEM_ONLINE_URL must be a redis:// or rediss:// URL (or unset, for in-process state), got one starting '${scheme}'`);
  }
  return RedisPartitionStore.open({ ...options, url });
}
