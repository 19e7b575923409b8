import { z } from 'zod';
import { artifact, decodeFloat64, decodeInt32, encodeFloat64, encodeInt32, type ModelArtifact } from '../artifact.js';
import type { OnlineModel, Row } from '../model.js';
import { parseParams } from '../shared/params.js';
import { SeededRandom } from '../shared/random.js';
import { checkSameLength, finiteAt, invalidArtifact, openArtifact } from './artifact-state.js';

const KIND = 'half-space-trees';

export const halfSpaceTreesParamsSchema = z
  .strictObject({
    /** Trees in the ensemble. @default 10 */
    nTrees: z.number().int().min(1).max(1000).default(10),
    /** Depth of every (complete) tree; each holds 2^(height+1) − 1 nodes. @default 8 */
    height: z.number().int().min(1).max(20).default(8),
    /** Rows per window: the latest window's masses become the reference every `windowSize` rows. @default 250 */
    windowSize: z.number().int().min(1).default(250),
    /** A node with reference mass below this share of the window ends a row's path when scoring. @default 0.1 */
    sizeLimit: z.number().min(0).max(1).default(0.1),
    /** Per-feature [min, max] for features not already in [0, 1]; values are rescaled by them. @default {} */
    limits: z.record(z.string(), z.tuple([z.number(), z.number()])).default({}),
    /** Seed of the random work spaces and split features. @default 0 */
    seed: z.number().int().default(0),
  })
  .refine((p) => Object.values(p.limits).every(([min, max]) => min < max), { message: 'every limit needs min < max', path: ['limits'] });

export type HalfSpaceTreesParams = z.input<typeof halfSpaceTreesParamsSchema>;
type Config = z.output<typeof halfSpaceTreesParamsSchema>;

/** All trees in flat arrays, tree t's nodes at t·(2^(height+1) − 1) in heap order (children of k: 2k+1, 2k+2). */
interface Forest {
  /** Feature names the trees split on. */
  readonly dims: readonly string[];
  /** Split value and feature (index into dims) of each internal node; rows below the value go left. */
  readonly split: Float64Array;
  readonly feature: Int32Array;
  /** Reference-window mass r and latest-window mass l of every node. */
  readonly reference: Float64Array;
  readonly latest: Float64Array;
}

/**
 * Half-Space Trees for streaming anomaly detection: Tan, Ting & Liu 2011, "Fast Anomaly Detection
 * for Streaming Data" (IJCAI). Each tree halves a randomly perturbed work space on a random
 * feature at every level; rows of the latest window add mass l along their path, and every
 * `windowSize` rows the latest masses become the reference r. A row's paper score is r × 2^depth
 * at the node where its path ends (a leaf, or a node with r below `sizeLimit` × window), summed
 * over trees: low for rows in sparse regions. `predictOne` returns 1 − score / (nTrees × window ×
 * 2^height), in [0, 1], higher = more anomalous; 0 until the first window has passed.
 *
 * Features are assumed scaled to [0, 1]; give `limits` for others. The trees are drawn at the
 * first `learnOne` over the numeric features of that row plus those in `limits`: features first
 * seen later are ignored (as in River). A row missing a node's feature ends its path there.
 */
export class HalfSpaceTrees implements OnlineModel {
  readonly kind = KIND;
  readonly task = 'anomaly' as const;
  readonly params: Readonly<Config>;
  #forest: Forest | undefined;
  /** Rows learnt in the current window. */
  #inWindow: number;
  #windows: number;
  #values = new Float64Array(0);

  /** Use `halfSpaceTrees(params)` or `halfSpaceTreesFromArtifact(artifact)`. */
  constructor(params: Config, state?: { forest: Forest | undefined; inWindow: number; windows: number }) {
    this.params = params;
    this.#forest = state?.forest;
    this.#inWindow = state?.inWindow ?? 0;
    this.#windows = state?.windows ?? 0;
  }

  /** The features the trees split on (empty before the first row). */
  get features(): readonly string[] {
    return this.#forest?.dims ?? [];
  }

  learnOne(x: Row, _y?: number): void {
    if (this.#forest === undefined) this.#forest = this.#plant(x);
    const forest = this.#forest;
    if (forest !== undefined) {
      const values = this.#scaled(forest, x);
      const nodes = nodesPerTree(this.params.height);
      for (let t = 0; t < this.params.nTrees; t++) {
        const base = t * nodes;
        let k = 0;
        for (let depth = 0; ; depth++) {
          forest.latest[base + k] = (forest.latest[base + k] as number) + 1;
          if (depth === this.params.height) break;
          const v = values[forest.feature[base + k] as number] as number;
          if (Number.isNaN(v)) break;
          k = v < (forest.split[base + k] as number) ? 2 * k + 1 : 2 * k + 2;
        }
      }
    }
    this.#inWindow++;
    if (this.#inWindow === this.params.windowSize) {
      if (forest !== undefined) {
        forest.reference.set(forest.latest);
        forest.latest.fill(0);
      }
      this.#inWindow = 0;
      this.#windows++;
    }
  }

  learnMany(xs: readonly Row[], ys: ArrayLike<number> = new Float64Array(xs.length)): void {
    checkSameLength(KIND, xs, ys);
    for (const x of xs) this.learnOne(x);
  }

  predictOne(x: Row): number {
    const forest = this.#forest;
    if (forest === undefined || this.#windows === 0) return 0;
    const { height, nTrees, windowSize, sizeLimit } = this.params;
    const values = this.#scaled(forest, x);
    const nodes = nodesPerTree(height);
    const limit = sizeLimit * windowSize;
    let score = 0;
    for (let t = 0; t < nTrees; t++) {
      const base = t * nodes;
      let k = 0;
      let depth = 0;
      while (depth < height && (forest.reference[base + k] as number) >= limit) {
        const v = values[forest.feature[base + k] as number] as number;
        if (Number.isNaN(v)) break;
        k = v < (forest.split[base + k] as number) ? 2 * k + 1 : 2 * k + 2;
        depth++;
      }
      score += (forest.reference[base + k] as number) * 2 ** depth;
    }
    return 1 - score / (nTrees * windowSize * 2 ** height);
  }

  toArtifact(): ModelArtifact {
    const forest = this.#forest;
    const params = { ...this.params, limits: Object.fromEntries(Object.entries(this.params.limits).map(([k, v]) => [k, [...v]])) };
    const state =
      forest === undefined
        ? { inWindow: this.#inWindow, windows: this.#windows }
        : {
            inWindow: this.#inWindow,
            windows: this.#windows,
            feature: encodeInt32(forest.feature),
            split: encodeFloat64(forest.split),
            reference: encodeFloat64(forest.reference),
            latest: encodeFloat64(forest.latest),
          };
    return artifact(KIND, params, forest?.dims ?? [], state);
  }

  /** Tan et al.'s BuildSingleHSTree over a work space perturbed per tree and feature. */
  #plant(x: Row): Forest | undefined {
    const dims = Object.keys(this.params.limits).sort();
    for (const name in x) {
      const v = x[name];
      if (typeof v === 'number' && !Object.hasOwn(this.params.limits, name)) dims.push(name);
    }
    if (dims.length === 0) return undefined;
    const { nTrees, height } = this.params;
    const nodes = nodesPerTree(height);
    const random = new SeededRandom(this.params.seed);
    const split = new Float64Array(nTrees * nodes);
    const feature = new Int32Array(nTrees * nodes);
    const low = new Float64Array(dims.length);
    const high = new Float64Array(dims.length);
    for (let t = 0; t < nTrees; t++) {
      // Work space: s ~ U(0, 1) per feature, then [s − 2·max(s, 1 − s), s + 2·max(s, 1 − s)].
      for (let d = 0; d < dims.length; d++) {
        const s = random.next();
        const width = 2 * Math.max(s, 1 - s);
        low[d] = s - width;
        high[d] = s + width;
      }
      growTree(t * nodes, 0, 0, height, random, low, high, split, feature);
    }
    return { dims, split, feature, reference: new Float64Array(nTrees * nodes), latest: new Float64Array(nTrees * nodes) };
  }

  /** `x` in the trees' feature order, rescaled by `limits`; NaN = missing. */
  #scaled(forest: Forest, x: Row): Float64Array {
    if (this.#values.length !== forest.dims.length) this.#values = new Float64Array(forest.dims.length);
    const values = this.#values;
    forest.dims.forEach((name, d) => {
      const v = x[name];
      const limit = Object.hasOwn(this.params.limits, name) ? this.params.limits[name] : undefined;
      values[d] = typeof v !== 'number' || !Number.isFinite(v) ? Number.NaN : limit === undefined ? v : (v - limit[0]) / (limit[1] - limit[0]);
    });
    return values;
  }
}

function nodesPerTree(height: number): number {
  return 2 ** (height + 1) - 1;
}

function growTree(
  base: number,
  k: number,
  depth: number,
  height: number,
  random: SeededRandom,
  low: Float64Array,
  high: Float64Array,
  split: Float64Array,
  feature: Int32Array,
): void {
  if (depth === height) return;
  const d = random.int(low.length);
  const lo = low[d] as number;
  const hi = high[d] as number;
  const middle = (lo + hi) / 2;
  feature[base + k] = d;
  split[base + k] = middle;
  high[d] = middle;
  growTree(base, 2 * k + 1, depth + 1, height, random, low, high, split, feature);
  high[d] = hi;
  low[d] = middle;
  growTree(base, 2 * k + 2, depth + 1, height, random, low, high, split, feature);
  low[d] = lo;
}

/** New Half-Space Trees; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function halfSpaceTrees(params: HalfSpaceTreesParams = {}): HalfSpaceTrees {
  return new HalfSpaceTrees(parseParams(KIND, halfSpaceTreesParamsSchema, params));
}

export function halfSpaceTreesFromArtifact(model: ModelArtifact): HalfSpaceTrees {
  const { params, state } = openArtifact(KIND, halfSpaceTreesParamsSchema, model);
  const inWindow = finiteAt(KIND, state, 'inWindow');
  const windows = finiteAt(KIND, state, 'windows');
  if (state['feature'] === undefined) return new HalfSpaceTrees(params, { forest: undefined, inWindow, windows });
  const size = params.nTrees * nodesPerTree(params.height);
  const forest: Forest = {
    dims: [...model.featureNames],
    feature: decodeInt32(state['feature'], `${KIND} feature`),
    split: decodeFloat64(state['split'], `${KIND} split`),
    reference: decodeFloat64(state['reference'], `${KIND} reference`),
    latest: decodeFloat64(state['latest'], `${KIND} latest`),
  };
  for (const array of [forest.feature, forest.split, forest.reference, forest.latest]) {
    if (array.length !== size) throw invalidArtifact(KIND, `holds ${array.length} nodes, expected ${size}`);
  }
  for (const d of forest.feature) if (d < 0 || d >= forest.dims.length) throw invalidArtifact(KIND, `splits on feature ${d} of ${forest.dims.length}`);
  return new HalfSpaceTrees(params, { forest, inWindow, windows });
}
