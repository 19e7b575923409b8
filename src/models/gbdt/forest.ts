import type { TreeBuilder } from './tree.js';

/**
 * The trained trees, flattened: node arrays of all trees end to end, children as indices into
 * them, `starts[t]` the root of tree t. Scoring walks raw feature values, never bins, so a model
 * loaded from its artifact needs no binning state.
 */
export interface Forest {
  readonly baseScore: number;
  readonly starts: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** 1 when missing values go left. */
  readonly defaultLeft: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly gain: Float64Array;
  readonly cover: Float64Array;
}

/** The fitted state a Gbdt scores with. */
export interface GbdtState {
  readonly featureNames: readonly string[];
  readonly forest: Forest;
}

export function forestOf(baseScore: number, trees: readonly TreeBuilder[]): Forest {
  const nodes = trees.reduce((sum, tree) => sum + tree.size, 0);
  const forest: Forest = {
    baseScore,
    starts: new Int32Array(trees.length),
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    defaultLeft: new Int32Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    value: new Float64Array(nodes),
    gain: new Float64Array(nodes),
    cover: new Float64Array(nodes),
  };
  let at = 0;
  trees.forEach((tree, t) => {
    forest.starts[t] = at;
    for (let k = 0; k < tree.size; k++) {
      const leaf = (tree.feature[k] as number) < 0;
      forest.feature[at + k] = tree.feature[k] as number;
      forest.threshold[at + k] = tree.threshold[k] as number;
      forest.defaultLeft[at + k] = tree.defaultLeft[k] ? 1 : 0;
      forest.left[at + k] = leaf ? -1 : at + (tree.left[k] as number);
      forest.right[at + k] = leaf ? -1 : at + (tree.right[k] as number);
      forest.value[at + k] = tree.value[k] as number;
      forest.gain[at + k] = tree.gain[k] as number;
      forest.cover[at + k] = tree.cover[k] as number;
    }
    at += tree.size;
  });
  return forest;
}

/**
 * The forest as scoring walks it: for node k, `split[k]` is its threshold (a leaf: its value)
 * and `links[2k]` its feature times two plus 1 when missing values go left (−1 for a leaf),
 * `links[2k + 1]` its left child, the right child next to it. Nodes are laid out tree by tree,
 * breadth first, so a walk reads two small arrays instead of seven, and steps without a branch
 * (8–9 µs instead of 12–13 µs per row for 200 trees of depth 6, measured on one core). Forests
 * up to MAX_COMPLETE_DEPTH deep are scored through `ranked` instead, or `complete` where ranks
 * cannot stand for the thresholds (3.0 and 3.8 µs for the same trees, bench/README.md).
 */
export interface ScoringForest {
  readonly baseScore: number;
  readonly roots: Int32Array;
  readonly split: Float64Array;
  readonly links: Int32Array;
  /** The same trees as complete trees of one depth, when they are shallow enough (see `CompleteForest`). */
  readonly complete: CompleteForest | undefined;
  /** The complete trees again, comparing ranks instead of values (see `RankedForest`); scoring uses it when present. */
  readonly ranked: RankedForest | undefined;
}

/**
 * The trees padded to complete binary trees of the forest's greatest depth, stored heap-wise
 * (node k's children are 2k + 1 and 2k + 2): a leaf above that depth becomes a chain of nodes
 * that send every row left (threshold +∞, missing values left) down to copies of its value.
 * Every walk then takes exactly `depth` steps and needs no child links, so four trees are
 * walked in lockstep, four independent chains of loads for the processor to overlap, with no
 * loop exit to mispredict. Per tree: 2^depth − 1 `codes` (feature × 2 + 1 when missing values
 * go left) and `thresholds`, then 2^depth `leaves`.
 */
export interface CompleteForest {
  readonly depth: number;
  readonly codes: Int32Array;
  readonly thresholds: Float64Array;
  readonly leaves: Float64Array;
}

/**
 * The complete trees with each threshold replaced by its index among its feature's distinct
 * thresholds, sorted (`edges`): a row's value v becomes its rank, the number of its feature's
 * thresholds below v, once per row, and v ≤ t exactly when rank(v) ≤ index(t), so every
 * row takes the same path and gets the same leaves, added in the same order. A node is one
 * 32-bit word (feature, missing-left bit, threshold index) instead of a code and an 8-byte
 * threshold, so a walk reads one array, and a forest of 200 trees of depth 6 takes 50 KB of
 * nodes instead of 150 KB: 3.0 instead of 3.7–3.8 µs per row on one core (bench:scoring), and
 * fewer cache misses when scoring runs between other work (a server's requests).
 */
export interface RankedForest {
  readonly depth: number;
  /** Per tree, 2^depth − 1 words: feature << 17 | missing-left << 16 | threshold index (`RANK_ALL`: every value goes left). */
  readonly codes: Uint32Array;
  /** `CompleteForest.leaves`, shared. */
  readonly leaves: Float64Array;
  /** Per feature, its distinct finite or −∞ thresholds in ascending order. */
  readonly edges: readonly Float64Array[];
  /** The features some node sends rows by: only those are ranked. */
  readonly used: Int32Array;
  /** The row being scored, as ranks (scoring is synchronous, so one per forest). */
  readonly ranks: Uint16Array;
}

/** A missing value's rank: above every index, so it goes right unless the node sends missing values left. */
const RANK_MISSING = 0xffff;
/** The index of a threshold every value is at most (+∞, and the padding of complete trees). */
const RANK_ALL = 0xfffe;

/** Deeper forests keep only the linked layout: a complete tree doubles with each level. */
export const MAX_COMPLETE_DEPTH = 8;

/**
 * The layouts scoring uses (see ScoringForest); `maxCompleteDepth` and `ranked` can turn the
 * faster ones off (tests compare them).
 */
export function scoringForestOf(forest: Forest, maxCompleteDepth = MAX_COMPLETE_DEPTH, ranked = true): ScoringForest {
  const nodes = forest.feature.length;
  const roots = new Int32Array(forest.starts.length);
  const split = new Float64Array(nodes);
  const links = new Int32Array(2 * nodes);
  let next = 0;
  const queue = new Int32Array(nodes);
  for (let t = 0; t < forest.starts.length; t++) {
    // Breadth first: `queue[i]` is the Forest node placed at `at + i`.
    const at = next;
    let head = 0;
    let tail = 0;
    queue[tail++] = forest.starts[t] as number;
    roots[t] = next++;
    while (head < tail) {
      const from = queue[head] as number;
      const k = at + head++;
      const j = forest.feature[from] as number;
      if (j < 0) {
        split[k] = forest.value[from] as number;
        links[2 * k] = -1;
        continue;
      }
      split[k] = forest.threshold[from] as number;
      links[2 * k] = 2 * j + (forest.defaultLeft[from] === 1 ? 1 : 0);
      links[2 * k + 1] = next;
      queue[tail++] = forest.left[from] as number;
      queue[tail++] = forest.right[from] as number;
      next += 2;
    }
  }
  const complete = completeForestOf(forest, maxCompleteDepth);
  return { baseScore: forest.baseScore, roots, split, links, complete, ranked: ranked && complete !== undefined ? rankedForestOf(complete) : undefined };
}

/**
 * The ranked form of `complete`, or undefined when ranks cannot stand for its thresholds: a
 * NaN threshold (every value goes right of it, which no index can say), more distinct
 * thresholds for a feature than a 16-bit rank counts, or more features than a node's word names.
 */
function rankedForestOf(complete: CompleteForest): RankedForest | undefined {
  const { codes, thresholds } = complete;
  let features = 0;
  for (let k = 0; k < codes.length; k++) features = Math.max(features, ((codes[k] as number) >> 1) + 1);
  if (features > 1 << 15) return undefined;
  const byFeature: number[][] = Array.from({ length: features }, () => []);
  // A node sends a row by its value unless every row goes left (+∞, missing values left: the padding).
  const used = new Set<number>();
  for (let k = 0; k < codes.length; k++) {
    const code = codes[k] as number;
    const t = thresholds[k] as number;
    if (Number.isNaN(t)) return undefined;
    if (t !== Number.POSITIVE_INFINITY) byFeature[code >> 1]!.push(t);
    if (t !== Number.POSITIVE_INFINITY || (code & 1) === 0) used.add(code >> 1);
  }
  // Distinct as values: a Set holds −0 and 0 as one threshold, as they are (v ≤ −0 exactly when v ≤ 0).
  const edges = byFeature.map((values) => Float64Array.from(new Set(values)).sort());
  if (edges.some((e) => e.length >= RANK_ALL)) return undefined;
  const ranked = new Uint32Array(codes.length);
  for (let k = 0; k < codes.length; k++) {
    const code = codes[k] as number;
    const t = thresholds[k] as number;
    const index = t === Number.POSITIVE_INFINITY ? RANK_ALL : edges[code >> 1]!.indexOf(t);
    ranked[k] = (((code >> 1) << 17) | ((code & 1) << 16) | index) >>> 0;
  }
  return { depth: complete.depth, codes: ranked, leaves: complete.leaves, edges, used: Int32Array.from([...used].sort((a, b) => a - b)), ranks: new Uint16Array(features) };
}

function completeForestOf(forest: Forest, maxDepth: number): CompleteForest | undefined {
  const depthOf = (k: number): number => {
    const j = forest.feature[k] as number;
    return j < 0 ? 0 : 1 + Math.max(depthOf(forest.left[k] as number), depthOf(forest.right[k] as number));
  };
  let depth = 0;
  for (const root of forest.starts) depth = Math.max(depth, depthOf(root));
  if (depth > maxDepth) return undefined;
  const trees = forest.starts.length;
  const inner = (1 << depth) - 1;
  const width = 1 << depth;
  const codes = new Int32Array(trees * inner);
  const thresholds = new Float64Array(trees * inner);
  const leaves = new Float64Array(trees * width);
  // Place Forest node k at heap position h (level `level`) of tree t.
  const place = (t: number, k: number, h: number, level: number): void => {
    if (level === depth) {
      leaves[t * width + h - inner] = forest.value[k] as number;
      return;
    }
    const j = forest.feature[k] as number;
    const at = t * inner + h;
    if (j < 0) {
      // A leaf above the bottom: every row goes left; both sides hold the value.
      codes[at] = 1;
      thresholds[at] = Infinity;
      place(t, k, 2 * h + 1, level + 1);
      place(t, k, 2 * h + 2, level + 1);
      return;
    }
    codes[at] = 2 * j + (forest.defaultLeft[k] === 1 ? 1 : 0);
    thresholds[at] = forest.threshold[k] as number;
    place(t, forest.left[k] as number, 2 * h + 1, level + 1);
    place(t, forest.right[k] as number, 2 * h + 2, level + 1);
  };
  for (let t = 0; t < trees; t++) place(t, forest.starts[t] as number, 0, 0);
  return { depth, codes, thresholds, leaves };
}

/**
 * The margin of one row given as values in the model's feature order (NaN = missing): the base
 * score plus every tree's leaf, added in tree order. Both batch and single-row scoring call
 * this, so they agree bit for bit.
 */
export function marginOf(forest: ScoringForest, x: Float64Array): number {
  const ranked = forest.ranked;
  if (ranked !== undefined) return rankedMarginOf(forest.baseScore, ranked, x);
  const complete = forest.complete;
  if (complete !== undefined) return completeMarginOf(forest.baseScore, complete, x);
  const { roots, split, links } = forest;
  let margin = forest.baseScore;
  for (let t = 0; t < roots.length; t++) {
    let k = roots[t] as number;
    let code = links[2 * k] as number;
    while (code >= 0) {
      const v = x[code >> 1] as number;
      const left = links[2 * k + 1] as number;
      // Missing (NaN) fails the comparison, and goes left only when the node says so. Without
      // a branch: which way a row goes is a coin toss to the branch predictor.
      k = left + 1 - (Number(v <= (split[k] as number)) | (Number(v !== v) & code));
      code = links[2 * k] as number;
    }
    margin += split[k] as number;
  }
  return margin;
}

/**
 * One step down the complete tree at `base` from heap node k: to 2k + 1 (left) when the value
 * is at most the threshold, or missing where the node sends missing values left; else 2k + 2.
 * Without a branch: which way a row goes is a coin toss to the branch predictor.
 */
function down(codes: Int32Array, thresholds: Float64Array, x: Float64Array, base: number, k: number): number {
  const code = codes[base + k] as number;
  const v = x[code >> 1] as number;
  return 2 * k + 2 - (Number(v <= (thresholds[base + k] as number)) | (Number(v !== v) & code));
}

/** `marginOf` over the complete layout: the same leaves, added in the same order. */
function completeMarginOf(baseScore: number, forest: CompleteForest, x: Float64Array): number {
  const { depth, codes, thresholds, leaves } = forest;
  const inner = (1 << depth) - 1;
  const width = 1 << depth;
  const trees = leaves.length / width;
  let margin = baseScore;
  let t = 0;
  for (; t + 4 <= trees; t += 4) {
    const b0 = t * inner;
    const b1 = b0 + inner;
    const b2 = b1 + inner;
    const b3 = b2 + inner;
    let k0 = 0;
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    for (let level = 0; level < depth; level++) {
      k0 = down(codes, thresholds, x, b0, k0);
      k1 = down(codes, thresholds, x, b1, k1);
      k2 = down(codes, thresholds, x, b2, k2);
      k3 = down(codes, thresholds, x, b3, k3);
    }
    const l0 = t * width - inner;
    margin += leaves[l0 + k0] as number;
    margin += leaves[l0 + width + k1] as number;
    margin += leaves[l0 + 2 * width + k2] as number;
    margin += leaves[l0 + 3 * width + k3] as number;
  }
  for (; t < trees; t++) {
    const b = t * inner;
    let k = 0;
    for (let level = 0; level < depth; level++) k = down(codes, thresholds, x, b, k);
    margin += leaves[t * width - inner + k] as number;
  }
  return margin;
}

/**
 * How many of `edges` are below v (NaN: RANK_MISSING), by a binary search whose steps depend
 * only on the length, each moving by arithmetic instead of a branch that a row's value makes
 * a coin toss.
 */
function rankOf(edges: Float64Array, v: number): number {
  if (v !== v) return RANK_MISSING;
  let n = edges.length;
  if (n === 0) return 0;
  let base = 0;
  while (n > 1) {
    const half = n >> 1;
    base += Number((edges[base + half] as number) < v) * half;
    n -= half;
  }
  return base + Number((edges[base] as number) < v);
}

/**
 * `completeMarginOf` over ranks: the same walks, the same leaves in the same order. Its own
 * loop, not `addLeaves` for one row: through that, a row took twice as long (bench:scoring).
 */
function rankedMarginOf(baseScore: number, forest: RankedForest, x: Float64Array): number {
  const { depth, codes, leaves, edges, used, ranks } = forest;
  for (let u = 0; u < used.length; u++) {
    const j = used[u] as number;
    ranks[j] = rankOf(edges[j]!, x[j] as number);
  }
  const inner = (1 << depth) - 1;
  const width = 1 << depth;
  const trees = leaves.length / width;
  let margin = baseScore;
  let t = 0;
  for (; t + 4 <= trees; t += 4) {
    const b0 = t * inner;
    let k0 = 0;
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    for (let level = 0; level < depth; level++) {
      k0 = rankedDown(codes, ranks, 0, b0, k0);
      k1 = rankedDown(codes, ranks, 0, b0 + inner, k1);
      k2 = rankedDown(codes, ranks, 0, b0 + 2 * inner, k2);
      k3 = rankedDown(codes, ranks, 0, b0 + 3 * inner, k3);
    }
    margin = addFour(margin, leaves, t * width - inner, width, k0, k1, k2, k3);
  }
  for (; t < trees; t++) {
    let k = 0;
    for (let level = 0; level < depth; level++) k = rankedDown(codes, ranks, 0, t * inner, k);
    margin += leaves[t * width - inner + k] as number;
  }
  return margin;
}

/** Rows ranked and walked together by `marginsOf`: their ranks (16 features: 8 KB) stay in the L1 cache with four trees' nodes. */
const BATCH_ROWS = 256;

/**
 * The margins of many rows, given as columns in the model's feature order (NaN = missing),
 * into `out`: what `marginOf` gives each row, to the bit (the same leaves, added in the same
 * order), but walked tree-major: each block of rows is ranked once, then every group of four
 * trees walks every row of the block while those trees' few kilobytes stay in the L1 cache,
 * instead of each row walking the whole forest. Forests without ranks are scored row by row.
 */
export function marginsOf(forest: ScoringForest, columns: readonly Float64Array[], out: Float64Array): void {
  const ranked = forest.ranked;
  const rows = out.length;
  if (ranked === undefined) {
    const x = new Float64Array(columns.length);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns.length; j++) x[j] = (columns[j] as Float64Array)[i] as number;
      out[i] = marginOf(forest, x);
    }
    return;
  }
  const { edges, used } = ranked;
  const features = ranked.ranks.length;
  const block = Math.min(rows, BATCH_ROWS);
  // ranks[r * features + j]: row r of the block, feature j.
  const ranks = new Uint16Array(block * features);
  for (let from = 0; from < rows; from += block) {
    const n = Math.min(block, rows - from);
    for (let u = 0; u < used.length; u++) {
      const j = used[u] as number;
      const column = columns[j] as Float64Array;
      const e = edges[j]!;
      for (let r = 0; r < n; r++) ranks[r * features + j] = rankOf(e, column[from + r] as number);
    }
    out.fill(forest.baseScore, from, from + n);
    addLeaves(ranked, ranks, n, out, from);
  }
}

/**
 * Add every tree's leaf, in tree order, to `out[from + r]` for the n rows whose ranks are
 * `ranks[r * features …]`: four trees at a time, and for them two rows at a time, so eight
 * walks are independent chains of loads for the processor to overlap, with no loop exit to
 * mispredict (every walk takes `depth` steps).
 */
function addLeaves(forest: RankedForest, ranks: Uint16Array, n: number, out: Float64Array, from: number): void {
  const { depth, codes, leaves } = forest;
  const features = forest.ranks.length;
  const inner = (1 << depth) - 1;
  const width = 1 << depth;
  const trees = leaves.length / width;
  let t = 0;
  for (; t + 4 <= trees; t += 4) {
    const b0 = t * inner;
    const b1 = b0 + inner;
    const b2 = b1 + inner;
    const b3 = b2 + inner;
    const l0 = t * width - inner;
    let r = 0;
    for (; r + 2 <= n; r += 2) {
      const at = r * features;
      const bt = at + features;
      let k0 = 0;
      let k1 = 0;
      let k2 = 0;
      let k3 = 0;
      let m0 = 0;
      let m1 = 0;
      let m2 = 0;
      let m3 = 0;
      for (let level = 0; level < depth; level++) {
        k0 = rankedDown(codes, ranks, at, b0, k0);
        k1 = rankedDown(codes, ranks, at, b1, k1);
        k2 = rankedDown(codes, ranks, at, b2, k2);
        k3 = rankedDown(codes, ranks, at, b3, k3);
        m0 = rankedDown(codes, ranks, bt, b0, m0);
        m1 = rankedDown(codes, ranks, bt, b1, m1);
        m2 = rankedDown(codes, ranks, bt, b2, m2);
        m3 = rankedDown(codes, ranks, bt, b3, m3);
      }
      out[from + r] = addFour(out[from + r] as number, leaves, l0, width, k0, k1, k2, k3);
      out[from + r + 1] = addFour(out[from + r + 1] as number, leaves, l0, width, m0, m1, m2, m3);
    }
    if (r < n) {
      const at = r * features;
      let k0 = 0;
      let k1 = 0;
      let k2 = 0;
      let k3 = 0;
      for (let level = 0; level < depth; level++) {
        k0 = rankedDown(codes, ranks, at, b0, k0);
        k1 = rankedDown(codes, ranks, at, b1, k1);
        k2 = rankedDown(codes, ranks, at, b2, k2);
        k3 = rankedDown(codes, ranks, at, b3, k3);
      }
      out[from + r] = addFour(out[from + r] as number, leaves, l0, width, k0, k1, k2, k3);
    }
  }
  for (; t < trees; t++) {
    const b = t * inner;
    for (let r = 0; r < n; r++) {
      let k = 0;
      for (let level = 0; level < depth; level++) k = rankedDown(codes, ranks, r * features, b, k);
      out[from + r] = (out[from + r] as number) + (leaves[t * width - inner + k] as number);
    }
  }
}

/** `margin` plus the leaves reached in four consecutive trees, added in tree order. */
function addFour(margin: number, leaves: Float64Array, l0: number, width: number, k0: number, k1: number, k2: number, k3: number): number {
  margin += leaves[l0 + k0] as number;
  margin += leaves[l0 + width + k1] as number;
  margin += leaves[l0 + 2 * width + k2] as number;
  return margin + (leaves[l0 + 3 * width + k3] as number);
}

/**
 * One step down the complete tree at `base` from heap node k, for the row whose ranks start
 * at `at`: left when the rank is at most the node's index, or missing where the node sends
 * missing values left.
 */
function rankedDown(codes: Uint32Array, ranks: Uint16Array, at: number, base: number, k: number): number {
  const code = codes[base + k] as number;
  const rank = ranks[at + (code >>> 17)] as number;
  return 2 * k + 2 - (Number(rank <= (code & 0xffff)) | (Number(rank === RANK_MISSING) & (code >>> 16)));
}

/** Total gain of each feature's splits (xgboost's importance_type 'total_gain'). */
export function totalGain(forest: Forest, features: number): Float64Array {
  const out = new Float64Array(features);
  for (let k = 0; k < forest.feature.length; k++) {
    const j = forest.feature[k] as number;
    if (j >= 0) out[j] = (out[j] as number) + (forest.gain[k] as number);
  }
  return out;
}
