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
 * (8–9 µs instead of 12–13 µs per row for 200 trees of depth 6, measured on one core).
 */
export interface ScoringForest {
  readonly baseScore: number;
  readonly roots: Int32Array;
  readonly split: Float64Array;
  readonly links: Int32Array;
}

export function scoringForestOf(forest: Forest): ScoringForest {
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
  return { baseScore: forest.baseScore, roots, split, links };
}

/**
 * The margin of one row given as values in the model's feature order (NaN = missing): the base
 * score plus every tree's leaf, added in tree order. Both batch and single-row scoring call
 * this, so they agree bit for bit.
 */
export function marginOf(forest: ScoringForest, x: Float64Array): number {
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

/** Total gain of each feature's splits (xgboost's importance_type 'total_gain'). */
export function totalGain(forest: Forest, features: number): Float64Array {
  const out = new Float64Array(features);
  for (let k = 0; k < forest.feature.length; k++) {
    const j = forest.feature[k] as number;
    if (j >= 0) out[j] = (out[j] as number) + (forest.gain[k] as number);
  }
  return out;
}
