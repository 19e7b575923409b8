import { MISSING_BIN } from './binning.js';
import { buildHistogram, histogramLength } from './histogram.js';
import { GBDT_OBJECTIVES, objectiveOf, type Objective } from './objective.js';
import type { GbdtParams } from './params.js';
import { moveBlock, partitionBlock } from './partition.js';
import { QUANT, QUANT_INLINE, QUANT_MEASURE, extremes, quantizeRows, roundPair, withLeaf } from './quantize.js';

/** Slots of the control array the caller and the workers synchronise on with Atomics. */
export const CONTROL = {
  /** Bumped by the caller to start a batch (workers Atomics.wait on it). */
  epoch: 0,
  /** What a new epoch asks: RUN a batch of tasks, or DETACH and return to the event loop. */
  command: 1,
  nextTask: 2,
  taskCount: 3,
  /** Workers that finished the current batch. */
  done: 4,
  /** Workers that attached to this work area. */
  attached: 5,
  selectedCount: 6,
  /** Set to 1 by a worker whose task threw. */
  failed: 7,
  /** Index of the objective in GBDT_OBJECTIVES. */
  objective: 8,
  /** Binning (binning-tasks.ts): tasks taken, tasks in all, tasks finished, features whose bounds are known, the bins cap. */
  binNext: 9,
  binCount: 10,
  binDone: 11,
  boundsDone: 12,
  maxBins: 13,
  length: 14,
} as const;

export const COMMAND_RUN = 1;
export const COMMAND_DETACH = 2;

/** Task kinds; a task is TASK_INTS ints: kind, start, end of a row range in `indices`, then a, b, c. */
export const TASK = {
  /** Sum the rows into partial histogram `a`. */
  histogram: 1,
  /** Partition the rows on feature `a` at bin `b` (missing left when `c` is 1) into `scratch`; count lefts into `counts`. */
  partition: 2,
  /** Move a partitioned block back: `a` lefts to `indices[b..]`, the rest to `indices[c..]`. */
  move: 3,
  /**
   * Gradients and hessians of rows start..end (row numbers, not positions in `indices`); when `c`
   * is 1, first add the value of their leaf of the new tree (`leafValue[leafOf[row]]`) to their
   * margins. Also resets `indices[start..end)` to the rows themselves, the next tree's root when
   * it takes every row.
   */
  gradients: 4,
  /** Write leaf number `a` to the `leafOf` of rows `indices[start..end)`. */
  leaf: 5,
  /**
   * As `leaf`, writing `taskLeaves[2 task]` for rows with code ≤ `b` on feature `a` (or missing,
   * when `c` is 1) and `taskLeaves[2 task + 1]` for the others.
   */
  finalSplit: 6,
  /** Round the (g, h) of rows start..end to the steps set (quantize.ts). */
  quantize: 7,
} as const;
export const TASK_INTS = 6;

/**
 * Everything a task reads and writes, in memory shared by the caller and its workers
 * (SharedArrayBuffer when workers run). Tasks work on fixed blocks of rows and write disjoint
 * places; the caller combines their results in block order, so the outcome never depends on
 * which thread ran which block, or when.
 */
export interface Work {
  readonly rows: number;
  readonly features: number;
  /**
   * One record of `words` 32-bit words per row, for histograms: `header` words holding the row's
   * (gradient, hessian), then its bin codes, one byte each (`codes[row * 4 * words + 4 * header
   * + j]`, four to a word in `codeWords[row * words + header ..]`). A sparse node's row then costs
   * one cache line, not one for its gradients and one for its codes. Exact training keeps (g, h)
   * as float32 in two words (`gh[row * words]`, `+ 1`); quantized training (quantize.ts) as whole
   * steps in two int16 in one word (`pairs[2 row * words]`, `+ 1`), so 12 codes make a record of
   * 16 bytes, four to a cache line.
   */
  readonly words: number;
  readonly header: number;
  readonly gh: Float32Array;
  readonly pairs: Int16Array;
  readonly codes: Uint8Array;
  readonly codeWords: Uint32Array;
  /** Unrounded (g, h) per row (`exact[2 row]`, `+ 1`) for quantized training whose steps are measured each round; else empty. */
  readonly exact: Float32Array;
  /** The same codes column-major (`columns[j * rows + row]`), for partitioning. */
  readonly columns: Uint8Array;
  /** Rows of the tree being grown; each node owns a contiguous range. */
  readonly indices: Uint32Array;
  /** Partitioned blocks: the block of rows start..end uses `scratch[2 start..2 end)`. */
  readonly scratch: Uint32Array;
  readonly selected: Int32Array;
  readonly tasks: Int32Array;
  /** Lefts per partition task. */
  readonly counts: Int32Array;
  /** Training margins (probabilities in quantized logloss), labels and weights (empty when unweighted). */
  readonly margin: Float64Array;
  /** 1 − each row's probability, in quantized logloss (quantize.ts `withLeaf`); else empty. */
  readonly complement: Float64Array;
  readonly label: Float64Array;
  readonly weight: Float64Array;
  /** Leaf numbers of each final-split task (two each). */
  readonly taskLeaves: Int32Array;
  /**
   * Each row's leaf in the new tree (by row number) and each leaf's value: the leaf tasks write
   * 4 bytes a row, and the margins take `leafValue[leafOf[row]]` in row order.
   */
  readonly leafOf: Uint32Array;
  readonly leafValue: Float64Array;
  /** Each leaf's `oddsFactor`, when `margin` holds probabilities (quantized logloss). */
  readonly leafFactor: Float64Array;
  readonly partials: Float64Array;
  /** Bin bounds of feature j at `bounds[j * 256 ..]`, `boundCounts[j]` of them (written by the binning tasks). */
  readonly bounds: Float64Array;
  readonly boundCounts: Int32Array;
  readonly control: Int32Array;
  /** Quantized gradients: the QUANT slots. */
  readonly quant: Float64Array;
  /** Largest |g| and h per gradient task, when quantizing with steps measured each round. */
  readonly extremes: Float64Array;
  /** Tasks one batch can hold (partial histograms allocated). */
  readonly capacity: number;
}

/** What a worker receives once per fit: the work area, and the raw columns to bin (absent when the caller bins alone). */
export interface WorkerStart {
  readonly work: Work;
  columns: Float64Array[] | undefined;
}

/** Partial histograms kept per batch: bounded by memory (32 MB) and by 256 tasks. */
export function taskCapacity(features: number): number {
  return Math.max(8, Math.min(256, Math.floor((32 << 20) / (histogramLength(features) * 8))));
}

export interface WorkInit {
  readonly rows: number;
  readonly features: number;
  readonly label?: Float64Array;
  readonly weight?: Float64Array | undefined;
  readonly objective?: GbdtParams['objective'];
  /** SharedArrayBuffer memory, for workers. */
  readonly shared: boolean;
  /** The most leaves a tree can have (2^maxDepth, or maxLeaves); at most `rows` are kept. */
  readonly leaves?: number;
  /**
   * Quantized training: records with (g, h) as int16 steps; `measured` when the steps are
   * measured each round; `probability` to keep probabilities and their complements (logloss).
   */
  readonly quantized?: { readonly measured: boolean; readonly probability?: boolean } | undefined;
}

/** 32-bit words per row record: the (gradient, hessian) header, then the codes, four to a word. */
export function recordWords(features: number, header = 2): number {
  return header + Math.ceil(features / 4);
}

/** Allocates the work area; binning tasks then write the codes into `codes` and `columns`. */
export function allocateWork(init: WorkInit): Work {
  const { rows, features } = init;
  const capacity = taskCapacity(features);
  const buffer = (bytes: number): ArrayBufferLike => (init.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const copy = (values: Float64Array | undefined): Float64Array => {
    const out = new Float64Array(buffer((values?.length ?? 0) * 8));
    if (values !== undefined) out.set(values);
    return out;
  };
  const control = new Int32Array(buffer(CONTROL.length * 4));
  const header = init.quantized === undefined ? 2 : 1;
  const words = recordWords(features, header);
  const records = buffer(rows * words * 4);
  control[CONTROL.objective] = GBDT_OBJECTIVES.indexOf(init.objective ?? 'logloss');
  return {
    rows,
    features,
    words,
    header,
    gh: new Float32Array(records),
    pairs: new Int16Array(records),
    codes: new Uint8Array(records),
    codeWords: new Uint32Array(records),
    exact: new Float32Array(buffer(init.quantized?.measured === true ? rows * 8 : 0)),
    columns: new Uint8Array(buffer(rows * features)),
    indices: new Uint32Array(buffer(rows * 4)),
    scratch: new Uint32Array(buffer(rows * 8)),
    selected: new Int32Array(buffer(Math.max(1, features) * 4)),
    tasks: new Int32Array(buffer(capacity * TASK_INTS * 4)),
    counts: new Int32Array(buffer(capacity * 4)),
    margin: new Float64Array(buffer(rows * 8)),
    complement: new Float64Array(buffer(init.quantized?.probability === true ? rows * 8 : 0)),
    label: copy(init.label),
    weight: copy(init.weight),
    taskLeaves: new Int32Array(buffer(capacity * 8)),
    leafOf: new Uint32Array(buffer(rows * 4)),
    leafValue: new Float64Array(buffer(Math.max(1, Math.min(rows, init.leaves ?? rows)) * 8)),
    leafFactor: new Float64Array(buffer(Math.max(1, Math.min(rows, init.leaves ?? rows)) * 8)),
    partials: new Float64Array(buffer(capacity * histogramLength(features) * 8)),
    bounds: new Float64Array(buffer(features * 256 * 8)),
    boundCounts: new Int32Array(buffer(Math.max(1, features) * 4)),
    control,
    quant: new Float64Array(buffer(QUANT.length * 8)),
    extremes: new Float64Array(buffer(capacity * 16)),
    capacity,
  };
}

/** Takes tasks of the current batch until none are left (run by the caller and every worker). */
export function runTasks(work: Work): void {
  const { control, tasks } = work;
  const count = Atomics.load(control, CONTROL.taskCount);
  const selectedCount = Atomics.load(control, CONTROL.selectedCount);
  const size = histogramLength(work.features);
  const objective = objectiveOf(GBDT_OBJECTIVES[Atomics.load(control, CONTROL.objective)] ?? 'logloss');
  for (;;) {
    const t = Atomics.add(control, CONTROL.nextTask, 1);
    if (t >= count) return;
    const at = t * TASK_INTS;
    const kind = tasks[at] as number;
    const start = tasks[at + 1] as number;
    const end = tasks[at + 2] as number;
    const a = tasks[at + 3] as number;
    const b = tasks[at + 4] as number;
    const c = tasks[at + 5] as number;
    if (kind === TASK.histogram) {
      buildHistogram(work, start, end, selectedCount, a * size);
    } else if (kind === TASK.partition) {
      const column = work.columns.subarray(a * work.rows, (a + 1) * work.rows);
      work.counts[t] = partitionBlock(column, work.indices, work.scratch, start, end, b, c === 1);
    } else if (kind === TASK.move) {
      moveBlock(work.indices, work.scratch, start, end, a, b, c);
    } else if (kind === TASK.gradients) {
      const mode = work.quant[QUANT.mode];
      gradients(work, objective, start, end, c === 1, mode === QUANT_INLINE);
      if (mode === QUANT_MEASURE) extremes(work.exact, start, end, work.extremes, 2 * t);
    } else if (kind === TASK.quantize) {
      quantizeRows(work, start, end);
    } else if (kind === TASK.leaf) {
      const { leafOf, indices } = work;
      for (let i = start; i < end; i++) leafOf[indices[i] as number] = a;
    } else {
      const column = work.columns.subarray(a * work.rows, (a + 1) * work.rows);
      splitLeaves(work, column, start, end, b, c === 1, work.taskLeaves[2 * t] as number, work.taskLeaves[2 * t + 1] as number);
    }
  }
}

/**
 * Gradients of rows start..end into their records: rounded to the steps set when `quantize`
 * (quantize.ts: logloss, from probabilities); else from the margins, unrounded, into `exact`
 * when quantized training measures its steps first.
 */
function gradients(work: Work, objective: Objective, start: number, end: number, addDelta: boolean, quantize: boolean): void {
  const { margin, leafOf, leafValue, label, weight, indices, words, quant } = work;
  const weighted = weight.length > 0;
  if (quantize) {
    // Rounded with known steps: logloss, whose `margin` holds probabilities and `complement`
    // their complements; g = p − y and h = p(1 − p), weighted.
    const { pairs, leafFactor, complement } = work;
    const gInverse = 1 / (quant[QUANT.gStep] as number);
    const hInverse = 1 / (quant[QUANT.hStep] as number);
    const seed = quant[QUANT.seed] as number;
    for (let r = start; r < end; r++) {
      indices[r] = r;
      if (addDelta) withLeaf(margin, complement, r, leafFactor[leafOf[r] as number] as number);
      const p = margin[r] as number;
      const w = weighted ? (weight[r] as number) : 1;
      roundPair(pairs, 2 * r * words, r, (p - (label[r] as number)) * w, Math.max(p * (complement[r] as number), 1e-16) * w, gInverse, hInverse, seed);
    }
    return;
  }
  const measured = work.exact.length > 0;
  const out = measured ? work.exact : work.gh;
  const stride = measured ? 2 : words;
  for (let r = start; r < end; r++) {
    indices[r] = r;
    let m = margin[r] as number;
    if (addDelta) {
      m += leafValue[leafOf[r] as number] as number;
      margin[r] = m;
    }
    objective.gradient(m, label[r] as number, weighted ? (weight[r] as number) : 1, out, r * stride);
  }
}

function splitLeaves(work: Work, column: Uint8Array, start: number, end: number, bin: number, defaultLeft: boolean, left: number, right: number): void {
  const { leafOf, indices } = work;
  const missing = defaultLeft ? MISSING_BIN : -1;
  for (let i = start; i < end; i++) {
    const r = indices[i] as number;
    const code = column[r] as number;
    // Branch-free: right − (right − left) · goesLeft.
    leafOf[r] = right - (right - left) * (Number(code <= bin) | Number(code === missing));
  }
}

/**
 * Atomics.wait until `control[slot]` differs from `value`, after spinning briefly: batches
 * follow each other within microseconds, and waking a sleeping thread can take a scheduler
 * time slice on a busy machine (OpenMP runtimes spin for the same reason).
 */
export function waitForChange(control: Int32Array, slot: number, value: number): void {
  for (let spin = 0; spin < SPINS; spin++) if (Atomics.load(control, slot) !== value) return;
  Atomics.wait(control, slot, value);
}

const SPINS = 20_000;
