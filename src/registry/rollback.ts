import { TandemError } from '../errors.js';
import type { ModelRegistry } from './registry.js';

export interface Rollback {
  readonly model: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Moves a model's champion alias back to the version it pointed at before, skipping versions
 * that were themselves rolled back from (so a second rollback goes further back instead of
 * returning to the version just abandoned). Recorded as a 'rollback' audit entry.
 */
export async function rollbackChampion(registry: ModelRegistry, model: string, reason: string): Promise<Rollback> {
  const current = await registry.get(model, 'champion');
  if (current === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no champion to roll back`);
  const audit = await registry.audit(model);
  const history: number[] = [];
  const abandoned = new Set<number>([current.version]);
  for (const entry of audit) {
    if (entry.action === 'alias' && entry.detail['alias'] === 'champion' && typeof entry.detail['version'] === 'number') history.push(entry.detail['version']);
    if (entry.action === 'rollback' && typeof entry.detail['from'] === 'number') abandoned.add(entry.detail['from']);
  }
  const target = history.reverse().find((version) => !abandoned.has(version));
  if (target === undefined) {
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' has no earlier champion to roll back to (champion is version ${current.version})`);
  }
  await registry.setAlias(model, 'champion', target);
  await registry.record('rollback', model, { from: current.version, to: target, reason });
  return { model, from: current.version, to: target };
}
