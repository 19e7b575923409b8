import { blocksOf } from './blocks.js';
import type { GrownTree } from './grow.js';
import { QUANT, QUANT_MEASURE, oddsFactor, setSteps } from './quantize.js';
import { TASK, TASK_INTS, type Work } from './work.js';
import { runBatch, type WorkerPool } from './worker-pool.js';

/**
 * The per-row steps of a boosting round, in parallel blocks: gradients from the margins, and
 * each new leaf's value added to the margins of its rows. Every row is written by one task
 * only, so the result is the same on any number of threads.
 */
export class RowUpdates {
  readonly #work: Work;
  readonly #pool: WorkerPool | undefined;
  readonly #seed: number;
  #passes = 0;

  /** `seed` seeds the stochastic rounding of quantized gradients. */
  constructor(work: Work, pool: WorkerPool | undefined, seed = 0) {
    this.#work = work;
    this.#pool = pool;
    this.#seed = seed;
  }

  /** Every row's gradients from its margin; with `addDelta`, after adding the value of its leaf of the new tree. */
  gradients(addDelta = false): void {
    const work = this.#work;
    const blocks = Math.min(work.capacity, blocksOf(work.rows));
    for (let b = 0; b < blocks; b++) {
      const at = b * TASK_INTS;
      work.tasks[at] = TASK.gradients;
      work.tasks[at + 1] = Math.floor((b * work.rows) / blocks);
      work.tasks[at + 2] = Math.floor(((b + 1) * work.rows) / blocks);
      work.tasks[at + 5] = addDelta ? 1 : 0;
    }
    // A fresh draw for each pass's rounding, the same on every run.
    work.quant[QUANT.seed] = (Math.imul(++this.#passes, 0x27d4eb2d) ^ this.#seed) | 0;
    runBatch(work, this.#pool, blocks, work.rows);
    if (work.quant[QUANT.mode] === QUANT_MEASURE) {
      let g = 0;
      let h = 0;
      for (let b = 0; b < blocks; b++) {
        g = Math.max(g, work.extremes[2 * b] as number);
        h = Math.max(h, work.extremes[2 * b + 1] as number);
      }
      setSteps(work, g, h);
      for (let b = 0; b < blocks; b++) work.tasks[b * TASK_INTS] = TASK.quantize;
      runBatch(work, this.#pool, blocks, work.rows);
    }
  }

  /**
   * Adds each leaf's value to the margins of its rows, and computes their next gradients: the
   * leaves write their numbers to `leafOf` by row number, then one pass in row order updates the
   * margins and gradients (reading them in row order costs far less than in leaf order).
   */
  addTree({ tree, leaves, finalSplits }: GrownTree): void {
    const work = this.#work;
    let tasks = 0;
    let rows = 0;
    const add = (start: number, end: number, write: (at: number, t: number) => void): void => {
      const n = end - start;
      const blocks = blocksOf(n);
      if (tasks + blocks > work.capacity) {
        runBatch(work, this.#pool, tasks, rows);
        tasks = 0;
        rows = 0;
      }
      for (let b = 0; b < blocks; b++, tasks++) {
        const at = tasks * TASK_INTS;
        work.tasks[at + 1] = start + Math.floor((b * n) / blocks);
        work.tasks[at + 2] = start + Math.floor(((b + 1) * n) / blocks);
        write(at, tasks);
      }
      rows += n;
    };
    // Probabilities in the margins' place (quantized logloss) take each leaf's odds factor.
    const odds = work.complement.length > 0;
    let leafNumber = 0;
    for (const leaf of leaves) {
      const number = leafNumber++;
      work.leafValue[number] = tree.value[leaf.node] as number;
      if (odds) work.leafFactor[number] = oddsFactor(work.leafValue[number] as number);
      add(leaf.start, leaf.end, (at) => {
        work.tasks[at] = TASK.leaf;
        work.tasks[at + 3] = number;
        work.tasks[at + 5] = 0;
      });
    }
    for (const split of finalSplits) {
      const left = leafNumber++;
      const right = leafNumber++;
      work.leafValue[left] = tree.value[split.left] as number;
      work.leafValue[right] = tree.value[split.right] as number;
      if (odds) {
        work.leafFactor[left] = oddsFactor(work.leafValue[left] as number);
        work.leafFactor[right] = oddsFactor(work.leafValue[right] as number);
      }
      add(split.start, split.end, (at, t) => {
        work.tasks[at] = TASK.finalSplit;
        work.tasks[at + 3] = split.feature;
        work.tasks[at + 4] = split.bin;
        work.tasks[at + 5] = split.defaultLeft ? 1 : 0;
        work.taskLeaves[2 * t] = left;
        work.taskLeaves[2 * t + 1] = right;
      });
    }
    if (tasks > 0) runBatch(work, this.#pool, tasks, rows);
    this.gradients(true);
  }
}
