import { z } from 'zod';
import { artifact, type ModelArtifact } from '../artifact.js';
import type { OnlineModel, Row } from '../model.js';
import { parseParams } from '../shared/params.js';
import { checkBinaryLabel, checkSameLength, openArtifact } from './artifact-state.js';
import { bestSplit, observeNominal, observeNumeric, type ClassCounts, type SplitSuggestion } from './attribute-observers.js';
import { standardDeviation } from './gaussian.js';
import { newLeaf, nodeFromJson, nodeToJson, weightOf, type Leaf, type SplitNode, type TreeNode } from './hoeffding-tree-nodes.js';

const KIND = 'hoeffding-tree';

export const hoeffdingTreeParamsSchema = z.strictObject({
  /** Rows a leaf learns between split attempts. @default 200 */
  gracePeriod: z.number().int().min(1).default(200),
  /** Allowed probability δ that a split differs from the one infinite data would choose. @default 1e-7 */
  delta: z.number().gt(0).lt(1).default(1e-7),
  /** Tie threshold τ: split anyway once the Hoeffding bound ε falls below it. @default 0.05 */
  tau: z.number().min(0).default(0.05),
  /** How a leaf predicts: its majority class, naive Bayes, or whichever has been right more often. @default 'adaptive' */
  leafPrediction: z.enum(['majority', 'naiveBayes', 'adaptive']).default('adaptive'),
  /** Deepest level a split may create. @default 20 */
  maxDepth: z.number().int().min(0).default(20),
  /** Candidate thresholds per numeric attribute. @default 10 */
  splitPoints: z.number().int().min(1).default(10),
  /** Least share of a leaf's weight that two branches must each hold. @default 0.01 */
  minBranchFraction: z.number().min(0).lt(0.5).default(0.01),
});

export type HoeffdingTreeParams = z.input<typeof hoeffdingTreeParamsSchema>;
type Config = z.output<typeof hoeffdingTreeParamsSchema>;

/**
 * Hoeffding tree (VFDT) binary classifier: Domingos & Hulten 2000, "Mining High-Speed Data
 * Streams". A leaf tries to split every `gracePeriod` rows and does when the best attribute's
 * information gain beats the runner-up (or not splitting, gain 0) by the Hoeffding bound
 * ε = √(R² ln(1/δ) / 2n), R = 1 bit, or when ε < τ. Numeric attributes keep a Gaussian per class
 * and try evenly spaced thresholds (as MOA's and River's GaussianSplitter); strings and booleans
 * split multiway by value, and a value first seen after the split grows a new branch. A missing
 * attribute is not observed; at a split it follows the heavier branch. Leaves predict by
 * majority class or naive Bayes ("adaptive", after Holmes, Kirkby & Pfahringer 2005, picks whichever has been right
 * more often at that leaf).
 */
export class HoeffdingTree implements OnlineModel {
  readonly kind = KIND;
  readonly task = 'binary' as const;
  readonly params: Readonly<Config>;
  #root: TreeNode;

  /** Use `hoeffdingTree(params)` or `hoeffdingTreeFromArtifact(artifact)`. */
  constructor(params: Config, root: TreeNode = newLeaf()) {
    this.params = params;
    this.#root = root;
  }

  get leafCount(): number {
    return countLeaves(this.#root);
  }

  /** Splits on the longest path from the root (0 before the first split). */
  get depth(): number {
    return depthOf(this.#root);
  }

  learnOne(x: Row, y: number): void {
    checkBinaryLabel(KIND, y);
    const label = y as 0 | 1;
    let node = this.#root;
    let parent: SplitNode | undefined;
    let slot = '';
    let depth = 0;
    while (node.type !== 'leaf') {
      node.counts[label] += 1;
      parent = node;
      [node, slot] = childForLearning(node, x);
      depth++;
    }
    this.#learnAtLeaf(node, x, label);
    if (depth < this.params.maxDepth && node.seen - node.lastAttempt >= this.params.gracePeriod) {
      node.lastAttempt = node.seen;
      const split = this.#attemptSplit(node);
      if (split !== undefined) this.#replace(parent, slot, split);
    }
  }

  learnMany(xs: readonly Row[], ys: ArrayLike<number>): void {
    checkSameLength(KIND, xs, ys);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i] as Row, ys[i] as number);
  }

  predictProbaOne(x: Row): number {
    let node = this.#root;
    let informed: ClassCounts = node.counts;
    while (node.type !== 'leaf') {
      if (weightOf(node) > 0) informed = node.counts;
      const child = childForPrediction(node, x);
      if (child === undefined) return share(informed);
      node = child;
    }
    if (weightOf(node) === 0) return share(informed);
    return this.#useNaiveBayes(node) ? naiveBayes(node, x) : share(node.counts);
  }

  predictOne(x: Row): number {
    return this.predictProbaOne(x) >= 0.5 ? 1 : 0;
  }

  toArtifact(): ModelArtifact {
    return artifact(KIND, { ...this.params }, [], { root: nodeToJson(this.#root) });
  }

  #useNaiveBayes(leaf: Leaf): boolean {
    const mode = this.params.leafPrediction;
    if (mode === 'majority' || leaf.seen === 0) return false;
    return mode === 'naiveBayes' || leaf.naiveBayesCorrect > leaf.majorityCorrect;
  }

  #learnAtLeaf(leaf: Leaf, x: Row, y: 0 | 1): void {
    if (this.params.leafPrediction === 'adaptive' && leaf.seen > 0) {
      if ((leaf.counts[1] > leaf.counts[0] ? 1 : 0) === y) leaf.majorityCorrect++;
      if ((naiveBayes(leaf, x) >= 0.5 ? 1 : 0) === y) leaf.naiveBayesCorrect++;
    }
    leaf.counts[y] += 1;
    leaf.seen++;
    for (const name in x) {
      const v = x[name];
      let observer = leaf.observers.get(name);
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) continue;
        if (observer === undefined) {
          observer = { type: 'numeric', classes: [null, null] };
          leaf.observers.set(name, observer);
        }
        // A value of the other type than the attribute's first one counts as missing.
        if (observer.type === 'numeric') observeNumeric(observer, v, y);
      } else if (typeof v === 'string' || typeof v === 'boolean') {
        if (observer === undefined) {
          observer = { type: 'nominal', values: new Map() };
          leaf.observers.set(name, observer);
        }
        if (observer.type === 'nominal') observeNominal(observer, String(v), y);
      }
    }
  }

  #attemptSplit(leaf: Leaf): SplitNode | undefined {
    const suggestions: SplitSuggestion[] = [];
    for (const [feature, observer] of leaf.observers) {
      const suggestion = bestSplit(feature, observer, this.params);
      if (suggestion !== undefined) suggestions.push(suggestion);
    }
    if (suggestions.length === 0) return undefined;
    suggestions.sort((a, b) => b.merit - a.merit);
    const best = suggestions[0] as SplitSuggestion;
    // Not splitting is a candidate with gain 0 (VFDT's X∅), so the runner-up is at least 0.
    const runnerUp = Math.max(0, suggestions[1]?.merit ?? 0);
    const epsilon = Math.sqrt(Math.log(1 / this.params.delta) / (2 * leaf.seen));
    if (!(best.merit > 0) || !(best.merit - runnerUp > epsilon || epsilon < this.params.tau)) return undefined;
    const counts: ClassCounts = [leaf.counts[0], leaf.counts[1]];
    if (best.test.type === 'numeric') {
      const [left, right] = best.branches as [ClassCounts, ClassCounts];
      return { type: 'numeric-split', feature: best.feature, threshold: best.test.threshold, counts, left: newLeaf(left), right: newLeaf(right) };
    }
    const branches = new Map<string, TreeNode>();
    best.test.values.forEach((value, i) => branches.set(value, newLeaf(best.branches[i] as ClassCounts)));
    return { type: 'nominal-split', feature: best.feature, counts, branches };
  }

  #replace(parent: SplitNode | undefined, slot: string, node: TreeNode): void {
    if (parent === undefined) this.#root = node;
    else if (parent.type === 'nominal-split') parent.branches.set(slot, node);
    else if (slot === 'left') parent.left = node;
    else parent.right = node;
  }
}

/** The child a learning row goes to, and its slot; an unseen category grows a new branch. */
function childForLearning(node: SplitNode, x: Row): [TreeNode, string] {
  const v = x[node.feature];
  if (node.type === 'numeric-split') {
    if (typeof v === 'number' && Number.isFinite(v)) return v <= node.threshold ? [node.left, 'left'] : [node.right, 'right'];
    return weightOf(node.left) >= weightOf(node.right) ? [node.left, 'left'] : [node.right, 'right'];
  }
  if (typeof v === 'string' || typeof v === 'boolean') {
    const key = String(v);
    let child = node.branches.get(key);
    if (child === undefined) {
      child = newLeaf();
      node.branches.set(key, child);
    }
    return [child, key];
  }
  return heaviestBranch(node);
}

/** The child a scored row goes to; undefined for a category the split has never seen. */
function childForPrediction(node: SplitNode, x: Row): TreeNode | undefined {
  const v = x[node.feature];
  if (node.type === 'numeric-split') {
    if (typeof v === 'number' && Number.isFinite(v)) return v <= node.threshold ? node.left : node.right;
    return weightOf(node.left) >= weightOf(node.right) ? node.left : node.right;
  }
  if (typeof v === 'string' || typeof v === 'boolean') return node.branches.get(String(v));
  return heaviestBranch(node)[0];
}

function heaviestBranch(node: Extract<SplitNode, { type: 'nominal-split' }>): [TreeNode, string] {
  let best: [TreeNode, string] | undefined;
  for (const [key, child] of node.branches) {
    if (best === undefined || weightOf(child) > weightOf(best[0])) best = [child, key];
  }
  return best as [TreeNode, string];
}

function share(counts: ClassCounts): number {
  const total = counts[0] + counts[1];
  return total > 0 ? counts[1] / total : 0.5;
}

/**
 * P(y = 1) by naive Bayes over the leaf's observers: Laplace-smoothed class priors, Gaussian
 * likelihoods for numbers (standard deviation floored at 0.1 % of the range seen), Laplace-
 * smoothed frequencies for categories. Attributes missing from `x` or unseen by a class are skipped.
 */
function naiveBayes(leaf: Leaf, x: Row): number {
  const total = leaf.counts[0] + leaf.counts[1];
  let log0 = Math.log((leaf.counts[0] + 1) / (total + 2));
  let log1 = Math.log((leaf.counts[1] + 1) / (total + 2));
  for (const [name, observer] of leaf.observers) {
    const v = x[name];
    if (observer.type === 'numeric') {
      const [g0, g1] = observer.classes;
      if (typeof v !== 'number' || !Number.isFinite(v) || g0 === null || g1 === null) continue;
      const range = Math.max(g0.max, g1.max) - Math.min(g0.min, g1.min);
      if (!(range > 0)) continue;
      const floor = 1e-3 * range;
      const sd0 = Math.max(standardDeviation(g0), floor);
      const sd1 = Math.max(standardDeviation(g1), floor);
      log0 += -0.5 * ((v - g0.mean) / sd0) ** 2 - Math.log(sd0);
      log1 += -0.5 * ((v - g1.mean) / sd1) ** 2 - Math.log(sd1);
    } else {
      if (typeof v !== 'string' && typeof v !== 'boolean') continue;
      const counts = observer.values.get(String(v));
      let n0 = 0;
      let n1 = 0;
      for (const c of observer.values.values()) {
        n0 += c[0];
        n1 += c[1];
      }
      const distinct = observer.values.size + 1;
      log0 += Math.log(((counts?.[0] ?? 0) + 1) / (n0 + distinct));
      log1 += Math.log(((counts?.[1] ?? 0) + 1) / (n1 + distinct));
    }
  }
  // P(1) = 1 / (1 + e^(log0 − log1)), finite for any finite logs.
  const d = log0 - log1;
  return d > 700 ? 0 : 1 / (1 + Math.exp(d));
}

function countLeaves(node: TreeNode): number {
  if (node.type === 'leaf') return 1;
  if (node.type === 'numeric-split') return countLeaves(node.left) + countLeaves(node.right);
  let sum = 0;
  for (const child of node.branches.values()) sum += countLeaves(child);
  return sum;
}

function depthOf(node: TreeNode): number {
  if (node.type === 'leaf') return 0;
  if (node.type === 'numeric-split') return 1 + Math.max(depthOf(node.left), depthOf(node.right));
  let deepest = 0;
  for (const child of node.branches.values()) deepest = Math.max(deepest, depthOf(child));
  return 1 + deepest;
}

/** A new Hoeffding tree; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function hoeffdingTree(params: HoeffdingTreeParams = {}): HoeffdingTree {
  return new HoeffdingTree(parseParams(KIND, hoeffdingTreeParamsSchema, params));
}

export function hoeffdingTreeFromArtifact(model: ModelArtifact): HoeffdingTree {
  const { params, state } = openArtifact(KIND, hoeffdingTreeParamsSchema, model);
  return new HoeffdingTree(params, nodeFromJson(state['root']));
}
