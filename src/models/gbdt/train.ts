import { TandemError } from '../../errors.js';
import type { Dataset } from '../dataset.js';
import type { FitOptions } from '../model.js';
import { runBinningTasks, setUpBinning, sharedColumns, waitForBinning, waitForBounds } from './binning-tasks.js';
import { forestOf, type Forest } from './forest.js';
import { growTree, type GrowContext } from './grow.js';
import { HistogramBuilder } from './histogram-builder.js';
import { RowPartitioner } from './partitioner.js';
import { RowUpdates } from './row-updates.js';
import { CONTROL, allocateWork } from './work.js';
import { workerPool } from './worker-pool.js';
import { objectiveOf } from './objective.js';
import { oddsFactor, packing, quantization, startQuantizing, withLeaf } from './quantize.js';
import { defaultThreads, type GbdtParams } from './params.js';
import { SamplingRandom } from './random.js';
import type { TreeBuilder } from './tree.js';

/** Below this many rows, one thread trains faster than waking workers. */
const PARALLEL_MIN_ROWS = 50_000;

export interface Trained {
  readonly forest: Forest;
  readonly roundsRun: number;
  /** Trees kept: the best validation round under early stopping, else all. */
  readonly bestRounds: number;
  readonly validationLoss: readonly number[] | undefined;
  /** Threads that built histograms: the caller plus the workers that attached. */
  readonly threads: number;
}

/**
 * Gradient boosting (Friedman 2001) with second-order trees on histograms (Chen & Guestrin
 * 2016). Trusts `data` (checked by the caller).
 */
export function train(params: GbdtParams, data: Dataset, options: FitOptions): Trained {
  const objective = objectiveOf(params.objective);
  const label = data.label as Float64Array;
  const rows = data.rows;
  const features = data.featureNames.length;
  const threads = params.threads ?? defaultThreads();
  const wantWorkers = rows >= PARALLEL_MIN_ROWS ? threads - 1 : 0;
  const quantized = params.quantizeGradients === true ? quantization(rows) : undefined;
  // Rounding while computing the gradients needs their bounds and each row's probability (logloss);
  // other objectives compute exact gradients and measure each round's steps before rounding.
  const gradientBounds = objective.name === 'logloss' ? objective.gradientBounds(maxWeight(data.weight)) : undefined;
  if (wantWorkers > 0) workerPool().prepare(wantWorkers);
  const work = allocateWork({
    rows,
    features,
    label,
    weight: data.weight,
    objective: params.objective,
    shared: wantWorkers > 0,
    quantized: quantized === undefined ? undefined : { measured: gradientBounds === undefined, probability: gradientBounds !== undefined },
    leaves: params.growth === 'leafwise' ? params.maxLeaves : 2 ** params.maxDepth,
  });
  setUpBinning(work, params.maxBins);
  // Workers attach as they load, and take the binning tasks the caller has not begun.
  const offered = wantWorkers > 0 ? workerPool().offer(work, wantWorkers, sharedColumns(data.columns, rows)) : 0;
  try {
    runBinningTasks(work, data.columns);
    waitForBinning(work);
    if (Atomics.load(work.control, CONTROL.failed) === 1) {
      throw new TandemError('TANDEM_INTERNAL', 'gbdt: a training worker failed; retry with threads: 1');
    }
    const bounds = waitForBounds(work);
    const binCounts = Int32Array.from(bounds, (b) => b.length + 1);
    const workers = offered > 0 ? workerPool().attach() : 0;
    const pool = workers > 0 ? workerPool() : undefined;
    const builder = new HistogramBuilder(work, pool);
    const partitioner = new RowPartitioner(work, pool);
    const updates = new RowUpdates(work, pool, params.seed);
    const baseScore = objective.baseScore(label, data.weight);
    const margin = work.margin.fill(baseScore);
    const validation = options.validation === undefined ? undefined : validationState(options.validation, data, baseScore);
    const random = new SamplingRandom(params.seed);
    const free: Float64Array[] = [];
    const trees: TreeBuilder[] = [];
    const losses: number[] = [];
    let best = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let round = 0;
    // Margin updates compute the next round's gradients, except after a subsampled round.
    let gradientsReady = false;
    if (quantized !== undefined) startQuantizing(work, quantized, gradientBounds);
    // Quantized logloss keeps each row's probability and its complement instead of its margin:
    // a leaf's value v multiplies the odds by e^v, one exp per leaf instead of one per row.
    const probability = work.complement.length > 0;
    if (probability) {
      margin.fill(1 / (1 + Math.exp(-baseScore)));
      work.complement.fill(1 / (1 + Math.exp(baseScore)));
    }
    while (round < params.rounds) {
      if (!gradientsReady) updates.gradients();
      const selected = sampleFeatures(random, features, params.colsampleByTree);
      builder.select(selected);
      const sampled = sampleRows(random, rows, params.subsample, work.indices);
      const context: GrowContext = {
        work,
        builder,
        partitioner,
        free,
        bounds,
        binCounts,
        params,
        selected: work.selected,
        selectedCount: selected.length,
        packing: packing(work),
      };
      const grown = growTree(context, sampled);
      const tree = grown.tree;
      gradientsReady = sampled === rows;
      if (gradientsReady) updates.addTree(grown);
      else {
        for (let r = 0; r < rows; r++) {
          const v = tree.valueOfCodes(work.codes, 4 * (r * work.words + work.header));
          if (probability) withLeaf(margin, work.complement, r, oddsFactor(v));
          else margin[r] = (margin[r] as number) + v;
        }
      }
      trees.push(tree);
      round++;
      if (validation !== undefined) {
        const { columns, margin: vMargin, data: vData } = validation;
        for (let i = 0; i < vData.rows; i++) vMargin[i] = (vMargin[i] as number) + tree.valueOfColumns(columns, i);
        const loss = objective.loss(vMargin, vData.label as Float64Array, vData.weight);
        losses.push(loss);
        if (loss < bestLoss) {
          bestLoss = loss;
          best = round;
        }
        options.onProgress?.(round, params.rounds);
        if (params.earlyStoppingRounds !== undefined && round - best >= params.earlyStoppingRounds) break;
      } else {
        options.onProgress?.(round, params.rounds);
      }
    }
    const kept = validation !== undefined && params.earlyStoppingRounds !== undefined ? best : round;
    return {
      forest: forestOf(baseScore, trees.slice(0, kept)),
      roundsRun: round,
      bestRounds: kept,
      validationLoss: validation === undefined ? undefined : losses,
      threads: 1 + workers,
    };
  } finally {
    if (offered > 0) workerPool().detach();
  }
}

interface ValidationState {
  readonly data: Dataset;
  /** Validation columns in the training feature order; absent ones are all-missing. */
  readonly columns: readonly (Float64Array | undefined)[];
  readonly margin: Float64Array;
}

function validationState(validation: Dataset, data: Dataset, baseScore: number): ValidationState {
  if (validation.label === undefined) {
    throw new TandemError('TANDEM_INVALID_DATASET', 'gbdt: the validation dataset has no label');
  }
  if (validation.rows === 0) throw new TandemError('TANDEM_INVALID_DATASET', 'gbdt: the validation dataset has no rows');
  return {
    data: validation,
    columns: columnsByName(validation, data.featureNames),
    margin: new Float64Array(validation.rows).fill(baseScore),
  };
}

/** `data`'s columns in the order of `names`; a name `data` lacks gives undefined (all missing). */
export function columnsByName(data: Dataset, names: readonly string[]): (Float64Array | undefined)[] {
  const index = new Map(data.featureNames.map((name, j) => [name, j]));
  return names.map((name) => {
    const j = index.get(name);
    return j === undefined ? undefined : data.columns[j];
  });
}

/** Column subsampling per tree: a seeded partial Fisher–Yates draw, sorted. */
function sampleFeatures(random: SamplingRandom, features: number, share: number): number[] {
  const all = Array.from({ length: features }, (_, j) => j);
  if (share >= 1) return all;
  const count = Math.max(1, Math.round(features * share));
  for (let i = 0; i < count; i++) {
    const k = i + Math.floor(random.next() * (features - i));
    [all[i], all[k]] = [all[k] as number, all[i] as number];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}

/**
 * Row subsampling per tree (Bernoulli, seeded); writes the rows ascending into `indices`. Every
 * row needs no writing: the gradient tasks, which run before each tree, reset `indices`.
 */
function sampleRows(random: SamplingRandom, rows: number, share: number, indices: Uint32Array): number {
  if (share >= 1) return rows;
  let n = 0;
  for (let r = 0; r < rows; r++) if (random.next() < share) indices[n++] = r;
  return n;
}

function maxWeight(weight: Float64Array | undefined): number {
  let max = 1;
  if (weight !== undefined && weight.length > 0) {
    max = 0;
    for (let i = 0; i < weight.length; i++) max = Math.max(max, weight[i] as number);
  }
  return max;
}
