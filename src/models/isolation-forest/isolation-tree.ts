import { SeededRandom, sampleWithoutReplacement } from '../shared/random.js';

const EULER_GAMMA = 0.5772156649015329;

/**
 * c(n), the average path length of an unsuccessful search in a binary search tree of n points
 * (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008, eq. 1): 2H(n − 1) − 2(n − 1)/n with
 * H(i) ≈ ln i + γ; c(1) = 0, c(2) = 1. It normalises path lengths and adjusts for the points
 * left unseparated in a leaf.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * All trees of a forest in flat arrays. Node `i` is a leaf when `feature[i] === -1`, and then
 * `pathLength[i]` is its depth + c(rows it holds); otherwise `x[feature] ≤ threshold` goes to
 * `left[i]`, the rest to `right[i]`. Tree t starts at node `roots[t]`.
 */
export interface Forest {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly pathLength: Float64Array;
  readonly roots: Int32Array;
}

/** Row-major imputed training data. */
export interface Matrix {
  readonly x: Float64Array;
  readonly rows: number;
  readonly p: number;
}

class ForestBuilder {
  readonly feature: number[] = [];
  readonly threshold: number[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly pathLength: number[] = [];

  node(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.pathLength.push(0);
    return this.feature.length - 1;
  }
}

/**
 * iForest (Liu et al. 2008, Algorithms 1 and 2): each tree isolates a subsample of ψ rows by
 * splitting on a uniformly random feature at a uniformly random value between the node's minimum
 * and maximum, to height limit ⌈log₂ ψ⌉. Only features that vary in the node are candidates
 * (as scikit-learn), so no split is wasted.
 */
export function growForest(
  data: Matrix,
  nTrees: number,
  sampleSize: number,
  random: SeededRandom,
  onTree?: (done: number, total: number) => void,
): Forest {
  const builder = new ForestBuilder();
  const roots = new Int32Array(nTrees);
  const heightLimit = Math.ceil(Math.log2(Math.max(sampleSize, 2)));
  for (let t = 0; t < nTrees; t++) {
    const treeRandom = new SeededRandom(random.seed());
    const rows = sampleWithoutReplacement(treeRandom, data.rows, sampleSize);
    roots[t] = growTree(builder, data, rows, heightLimit, treeRandom);
    onTree?.(t + 1, nTrees);
  }
  return {
    feature: Int32Array.from(builder.feature),
    threshold: Float64Array.from(builder.threshold),
    left: Int32Array.from(builder.left),
    right: Int32Array.from(builder.right),
    pathLength: Float64Array.from(builder.pathLength),
    roots,
  };
}

function growTree(builder: ForestBuilder, data: Matrix, rows: Int32Array, heightLimit: number, random: SeededRandom): number {
  const { x, p } = data;
  const root = builder.node();
  // Depth-first with an explicit stack: [node, start, end, depth] over `rows`, partitioned in place.
  const stack: [number, number, number, number][] = [[root, 0, rows.length, 0]];
  const lows = new Float64Array(p);
  const highs = new Float64Array(p);
  const candidates = new Int32Array(p);
  while (stack.length > 0) {
    const [node, start, end, depth] = stack.pop() as [number, number, number, number];
    const size = end - start;
    let count = 0;
    if (depth < heightLimit && size > 1) {
      lows.fill(Infinity);
      highs.fill(-Infinity);
      for (let r = start; r < end; r++) {
        const offset = (rows[r] as number) * p;
        for (let j = 0; j < p; j++) {
          const v = x[offset + j] as number;
          if (v < (lows[j] as number)) lows[j] = v;
          if (v > (highs[j] as number)) highs[j] = v;
        }
      }
      for (let j = 0; j < p; j++) if ((highs[j] as number) > (lows[j] as number)) candidates[count++] = j;
    }
    if (count === 0) {
      builder.pathLength[node] = depth + averagePathLength(size);
      continue;
    }
    const feature = candidates[random.int(count)] as number;
    const low = lows[feature] as number;
    const high = highs[feature] as number;
    let threshold = low + random.next() * (high - low);
    if (threshold >= high) threshold = low; // rounding: keep both sides non-empty
    let middle = start;
    for (let r = start; r < end; r++) {
      const row = rows[r] as number;
      if ((x[row * p + feature] as number) <= threshold) {
        rows[r] = rows[middle] as number;
        rows[middle++] = row;
      }
    }
    const left = builder.node();
    const right = builder.node();
    builder.feature[node] = feature;
    builder.threshold[node] = threshold;
    builder.left[node] = left;
    builder.right[node] = right;
    stack.push([right, middle, end, depth + 1], [left, start, middle, depth + 1]);
  }
  return root;
}

/** Mean over trees of the path length of `x[offset…offset+p)`, summed in tree order. */
export function meanPathLength(forest: Forest, x: Float64Array, offset: number): number {
  const { feature, threshold, left, right, pathLength, roots } = forest;
  let total = 0;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t] as number;
    let f = feature[node] as number;
    while (f >= 0) {
      node = (x[offset + f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
      f = feature[node] as number;
    }
    total += pathLength[node] as number;
  }
  return total / roots.length;
}
