import { TandemError, quote } from '../errors.js';
import type { Checkpoint, PartitionCommit } from './partition-store.js';

/**
 * Argument checks every partition store makes at its boundary, so the backends behave alike
 * and their internals can trust what they get.
 */

/** Letters, digits, '_', '.' and '-': no ':' (one namespace's keys would fall inside another's) and no glob characters. */
const NAMESPACE = /^[A-Za-z0-9_.-]{1,100}$/;

/** A lone surrogate: not well-formed Unicode, so it would not survive UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;

export function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) {
    throw new TandemError('TANDEM_USAGE', `online state namespace ${quote(namespace)} is invalid; use 1 to 100 letters, digits, '_', '.' or '-'`);
  }
  return namespace;
}

export function checkPartitionCount(partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 65_536) {
    throw new TandemError('TANDEM_USAGE', `the partition count must be an integer from 1 to 65536, got ${quote(partitions)}`);
  }
  return partitions;
}

export function checkPartition(partition: number, partitions: number): number {
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
    throw new TandemError('TANDEM_USAGE', `partition ${quote(partition)} does not exist; the store has partitions 0 to ${partitions - 1}`);
  }
  return partition;
}

/** The longest TTL: about 139 years, so that now + TTL stays an exact integer everywhere (Redis adds it to its clock). */
const MAX_TTL_MS = 2 ** 42;

export function checkTtl(ttlMs: number, what: string): number {
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TTL_MS) {
    throw new TandemError('TANDEM_USAGE', `${what} must be a whole number of milliseconds from 1 to 2^42, got ${quote(ttlMs)}`);
  }
  return ttlMs;
}

export function checkName(name: string, what: string): string {
  if (typeof name !== 'string' || name === '' || LONE_SURROGATE.test(name)) {
    throw new TandemError('TANDEM_USAGE', `${what} ${quote(name)} is invalid; use a non-empty, well-formed string`);
  }
  return name;
}

/** A view name and key a store can keep and give back exactly. */
export function checkEntity(view: string, key: string): void {
  checkName(view, 'view name');
  if (typeof key !== 'string' || LONE_SURROGATE.test(key)) {
    throw new TandemError('TANDEM_INVALID_KEY', `entity key ${quote(key)} of view '${view}' is not well-formed Unicode (it holds a lone surrogate) and cannot be stored`);
  }
}

export function checkCommit(commit: PartitionCommit): void {
  for (const entity of commit.entities) {
    checkEntity(entity.view, entity.key);
    if (typeof entity.state !== 'string') throw new TandemError('TANDEM_USAGE', `the state of '${entity.key}' in view '${entity.view}' must be a string`);
  }
  if (commit.follows !== undefined && !(Number.isSafeInteger(commit.follows) && commit.follows >= -1)) {
    throw new TandemError('TANDEM_USAGE', `follows must be a checkpoint offset, or -1 for none, got ${quote(commit.follows)}`);
  }
  for (const letter of commit.deadLetters ?? []) {
    if (typeof letter !== 'string') throw new TandemError('TANDEM_USAGE', `dead letters must be strings, got ${quote(letter)}`);
  }
}

/** The checkpoint as stored: JSON, so every backend gives back what survives JSON and nothing else. */
export function encodeCheckpoint(checkpoint: Checkpoint): string {
  const { offset, meta } = checkpoint;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new TandemError('TANDEM_USAGE', `a checkpoint offset must be a non-negative integer, got ${quote(offset)}`);
  return JSON.stringify({ offset, meta });
}

export function decodeCheckpoint(stored: string): Checkpoint {
  return JSON.parse(stored) as Checkpoint;
}

export function checkRange(from: number, max: number): void {
  if (!Number.isSafeInteger(from) || from < 0) throw new TandemError('TANDEM_USAGE', `a dead-letter position must be a non-negative integer, got ${quote(from)}`);
  if (!Number.isSafeInteger(max) || max < 1) throw new TandemError('TANDEM_USAGE', `max must be a positive integer, got ${quote(max)}`);
}

/** Opening a namespace with another partition count than it was created with. */
export function partitionCountMismatch(namespace: string, stored: number, asked: number): TandemError {
  return new TandemError(
    'TANDEM_USAGE',
    `online state namespace '${namespace}' has ${stored} partitions, not ${asked}: open it with partitions: ${stored}, or clear it to split it anew (every entity's partition depends on the count)`,
    { details: { namespace, stored, asked } },
  );
}

/** A commit by a worker that does not hold the partition's lease. */
export function checkpointMoved(partition: number, follows: number, found: number): TandemError {
  const stored = found < 0 ? 'none' : `offset ${found}`;
  return new TandemError(
    'TANDEM_LEASE_LOST',
    `partition ${partition}'s stored checkpoint (${stored}) is not the one the commit follows (${follows < 0 ? 'none' : `offset ${follows}`}): the store lost commits (a restart without persistence) or another worker wrote; the commit was refused and nothing was written, reload the partition`,
    { details: { partition, follows, found } },
  );
}

export function leaseLost(partition: number, owner: string, holder: string | undefined): TandemError {
  const held = holder === undefined ? 'nobody holds it now' : `'${holder}' holds it now`;
  return new TandemError('TANDEM_LEASE_LOST', `worker '${owner}' does not hold the lease of partition ${partition} (${held}): its commit was refused and nothing was written`, {
    details: { partition, owner, holder },
  });
}
