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
 * The margin of one row given as values in the model's feature order (NaN = missing): the base
 * score plus every tree's leaf, added in tree order. Both batch and single-row scoring call
 * this, so they agree bit for bit.
 */
export function marginOf(forest: Forest, x: Float64Array): number {
  const { starts, feature, threshold, defaultLeft, left, right, value } = forest;
  let margin = forest.baseScore;
  for (let t = 0; t < starts.length; t++) {
    let k = starts[t] as number;
    let j = feature[k] as number;
    while (j >= 0) {
      const v = x[j] as number;
      if (v <= (threshold[k] as number)) k = left[k] as number;
      else if (v !== v && defaultLeft[k] === 1) k = left[k] as number;
      else k = right[k] as number;
      j = feature[k] as number;
    }
    margin += value[k] as number;
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
