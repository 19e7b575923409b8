import { BIN_SLOTS, PACKED_SLOTS, histogramLength } from './histogram.js';
import { QUANT, QUANT_OFF } from './quantize.js';
import { blocksOf } from './blocks.js';
import { CONTROL, TASK, TASK_INTS, type Work } from './work.js';
import { runBatch, type WorkerPool } from './worker-pool.js';

/** A node whose histogram to build: rows `indices[start..end)`, written to `out`. */
export interface NodeRows {
  readonly start: number;
  readonly end: number;
  readonly out: Float64Array;
}

/** Builds node histograms in batches: block partials (in parallel when workers are attached), then a fixed-order reduce. */
export class HistogramBuilder {
  readonly #work: Work;
  readonly #pool: WorkerPool | undefined;

  constructor(work: Work, pool: WorkerPool | undefined) {
    this.#work = work;
    this.#pool = pool;
  }

  /** Sets the features histograms are built for (column subsampling). */
  select(features: readonly number[]): void {
    this.#work.selected.set(features);
    Atomics.store(this.#work.control, CONTROL.selectedCount, features.length);
  }

  build(nodes: readonly NodeRows[]): void {
    const work = this.#work;
    let next = 0;
    while (next < nodes.length) {
      const first = next;
      let tasks = 0;
      let rows = 0;
      while (next < nodes.length) {
        const node = nodes[next] as NodeRows;
        const blocks = blocksOf(node.end - node.start);
        if (tasks + blocks > work.capacity) break;
        const n = node.end - node.start;
        for (let b = 0; b < blocks; b++) {
          const at = (tasks + b) * TASK_INTS;
          work.tasks[at] = TASK.histogram;
          work.tasks[at + 1] = node.start + Math.floor((b * n) / blocks);
          work.tasks[at + 2] = node.start + Math.floor(((b + 1) * n) / blocks);
          work.tasks[at + 3] = tasks + b;
        }
        tasks += blocks;
        rows += n;
        next++;
      }
      runBatch(work, this.#pool, tasks, rows);
      this.#reduce(nodes, first, next);
    }
  }

  /** Each node's histogram is the sum of its blocks' partials, in block order. */
  #reduce(nodes: readonly NodeRows[], first: number, end: number): void {
    const { partials, selected } = this.#work;
    const selectedCount = Atomics.load(this.#work.control, CONTROL.selectedCount);
    const size = histogramLength(this.#work.features);
    const width = this.#work.quant[QUANT.mode] === QUANT_OFF ? BIN_SLOTS : PACKED_SLOTS;
    let slot = 0;
    for (let i = first; i < end; i++) {
      const node = nodes[i] as NodeRows;
      const blocks = blocksOf(node.end - node.start);
      const out = node.out;
      for (let s = 0; s < selectedCount; s++) {
        const at = (selected[s] as number) * BIN_SLOTS;
        const from = slot * size + at;
        out.set(partials.subarray(from, from + width), at);
        for (let b = 1; b < blocks; b++) {
          const p = (slot + b) * size + at;
          for (let k = 0; k < width; k++) out[at + k] = (out[at + k] as number) + (partials[p + k] as number);
        }
      }
      slot += blocks;
    }
  }
}
