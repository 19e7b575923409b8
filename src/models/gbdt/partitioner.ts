import { blocksOf } from './blocks.js';
import { TASK, TASK_INTS, type Work } from './work.js';
import { runBatch, type WorkerPool } from './worker-pool.js';

/** A node to split: its rows `indices[start..end)` and the split (codes ≤ bin go left). */
export interface NodeSplit {
  readonly start: number;
  readonly end: number;
  readonly feature: number;
  readonly bin: number;
  readonly defaultLeft: boolean;
}

/**
 * Partitions nodes' rows in place, lefts then rights, each in ascending row order, as a
 * sequential stable partition would; large nodes are cut into blocks that threads partition
 * in parallel, then each block moves its rows to places computed from the counts before it.
 */
export class RowPartitioner {
  readonly #work: Work;
  readonly #pool: WorkerPool | undefined;

  constructor(work: Work, pool: WorkerPool | undefined) {
    this.#work = work;
    this.#pool = pool;
  }

  /** Splits every node; returns where each node's right child starts. */
  split(nodes: readonly NodeSplit[]): number[] {
    const work = this.#work;
    const mids: number[] = [];
    let next = 0;
    while (next < nodes.length) {
      const first = next;
      let tasks = 0;
      let rows = 0;
      while (next < nodes.length) {
        const node = nodes[next] as NodeSplit;
        const n = node.end - node.start;
        const blocks = blocksOf(n);
        if (tasks + blocks > work.capacity) break;
        for (let b = 0; b < blocks; b++) {
          const at = (tasks + b) * TASK_INTS;
          work.tasks[at] = TASK.partition;
          work.tasks[at + 1] = node.start + Math.floor((b * n) / blocks);
          work.tasks[at + 2] = node.start + Math.floor(((b + 1) * n) / blocks);
          work.tasks[at + 3] = node.feature;
          work.tasks[at + 4] = node.bin;
          work.tasks[at + 5] = node.defaultLeft ? 1 : 0;
        }
        tasks += blocks;
        rows += n;
        next++;
      }
      runBatch(work, this.#pool, tasks, rows);
      // Where each block's lefts and rights go, then move them there.
      let t = 0;
      for (let i = first; i < next; i++) {
        const node = nodes[i] as NodeSplit;
        const blocks = blocksOf(node.end - node.start);
        let lefts = 0;
        for (let b = 0; b < blocks; b++) lefts += work.counts[t + b] as number;
        let leftAt = node.start;
        let rightAt = node.start + lefts;
        mids.push(rightAt);
        for (let b = 0; b < blocks; b++, t++) {
          const at = t * TASK_INTS;
          const count = work.counts[t] as number;
          const size = (work.tasks[at + 2] as number) - (work.tasks[at + 1] as number);
          work.tasks[at] = TASK.move;
          work.tasks[at + 3] = count;
          work.tasks[at + 4] = leftAt;
          work.tasks[at + 5] = rightAt;
          leftAt += count;
          rightAt += size - count;
        }
      }
      runBatch(work, this.#pool, tasks, rows);
    }
    return mids;
  }
}
