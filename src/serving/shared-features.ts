import type { FeatureView } from '../features/feature-view.js';
import type { Project } from '../features/project.js';
import { keyOfRecord } from '../engine/keys.js';
import { StreamEngine } from '../engine/stream.js';
import { TandemError } from '../errors.js';
import { partitionOf } from '../online/partition-of.js';
import type { EntityRef, PartitionStateStore } from '../online/partition-store.js';

type Row = Readonly<Record<string, unknown>>;

/**
 * Online features for a serving replica, from the state the partitioned stream workers keep
 * in a shared store. Before a read, `prepare` fetches the current state of the entities the
 * read needs — every view and request at once, in one round trip — and loads it into a local
 * engine, which then answers exactly as the workers' engines would. The local engine is a
 * cache of what was read, never a source: each read fetches again.
 */
export class SharedOnlineFeatures {
  readonly engine: StreamEngine;
  readonly #store: PartitionStateStore;

  constructor(project: Project, store: PartitionStateStore) {
    this.engine = new StreamEngine(project);
    this.#store = store;
  }

  /**
   * Load the state of each row's entity of each view. A row without a view's key is left
   * out: the read that follows reports the missing key. Rejects with TANDEM_STATE_UNAVAILABLE
   * when the store cannot be reached.
   */
  async prepare(views: readonly FeatureView[], rows: readonly Row[]): Promise<void> {
    const refs: EntityRef[] = [];
    const seen = new Set<string>();
    const partitions = this.#store.partitions;
    for (const view of views) {
      for (const row of rows) {
        let key: string;
        try {
          key = keyOfRecord(view.entity, row);
        } catch (error) {
          if (error instanceof TandemError) continue;
          throw error;
        }
        const id = `${view.name}\u0000${key}`;
        if (seen.has(id)) continue;
        seen.add(id);
        refs.push({ partition: partitionOf(view.entity.name, key, partitions), view: view.name, key });
      }
    }
    if (refs.length === 0) return;
    const states = await this.#store.read(refs);
    for (let i = 0; i < refs.length; i++) this.engine.loadEntity(refs[i]!.view, refs[i]!.key, states[i]);
  }

  /** Events the stream workers have applied, from the partitions' checkpoints. */
  async eventsApplied(): Promise<number> {
    const checkpoints = await Promise.all(Array.from({ length: this.#store.partitions }, (_, p) => this.#store.checkpoint(p)));
    let applied = 0;
    for (const checkpoint of checkpoints) applied += (checkpoint?.meta['progress'] as { applied?: number } | undefined)?.applied ?? 0;
    return applied;
  }
}
