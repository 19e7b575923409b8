import { BIN_SLOTS, PACKED_SLOTS, histogramLength, subtractHistogram, unpackHistogram } from './histogram.js';
import type { HistogramBuilder, NodeRows } from './histogram-builder.js';
import type { GbdtParams } from './params.js';
import type { RowPartitioner } from './partitioner.js';
import { findSplit, type Split } from './split.js';
import { TreeBuilder } from './tree.js';
import type { Work } from './work.js';

/** What growing a tree reads: the shared work area (codes, gradients, row indices) and the bins. */
export interface GrowContext {
  readonly work: Work;
  readonly builder: HistogramBuilder;
  readonly partitioner: RowPartitioner;
  /** Spare histograms, kept across trees. */
  readonly free: Float64Array[];
  readonly bounds: readonly Float64Array[];
  readonly binCounts: Int32Array;
  readonly params: GbdtParams;
  /** The features this tree may split on, ascending (already given to the builder). */
  readonly selected: Int32Array;
  readonly selectedCount: number;
  /** Packed histograms of quantized gradients: gq·scale + hq per bin, g = gq·gStep, h = hq·hStep. */
  readonly packing: { readonly scale: number; readonly gStep: number; readonly hStep: number } | undefined;
}

/** A leaf's rows are `indices[start..end)`, for updating training margins. */
export interface LeafRows {
  readonly node: number;
  readonly start: number;
  readonly end: number;
}

/**
 * A split whose children are leaves at the maximum depth: its rows are never partitioned, each
 * row's margin takes the value of the side it falls on.
 */
export interface FinalSplitRows {
  readonly start: number;
  readonly end: number;
  readonly feature: number;
  readonly bin: number;
  readonly defaultLeft: boolean;
  readonly left: number;
  readonly right: number;
}

export interface GrownTree {
  readonly tree: TreeBuilder;
  readonly leaves: readonly LeafRows[];
  readonly finalSplits: readonly FinalSplitRows[];
}

interface GrowNode {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly g: number;
  readonly h: number;
  readonly depth: number;
  hist: Float64Array | undefined;
  split: Split | undefined;
}

/** Grows one tree on rows `indices[0..rows)`, depth-wise or leaf-wise as the parameters say. */
export function growTree(context: GrowContext, rows: number): GrownTree {
  return new Grower(context).grow(rows);
}

class Grower {
  readonly #c: GrowContext;
  readonly #tree = new TreeBuilder();
  readonly #leaves: LeafRows[] = [];
  readonly #finalSplits: FinalSplitRows[] = [];
  readonly #free: Float64Array[];
  readonly #unpacked: Float64Array | undefined;

  constructor(context: GrowContext) {
    this.#c = context;
    this.#free = context.free;
    this.#unpacked = context.packing === undefined ? undefined : new Float64Array(histogramLength(context.work.features));
  }

  /** Slots of each feature a node histogram uses. */
  #width(): number {
    return this.#c.packing === undefined ? BIN_SLOTS : PACKED_SLOTS;
  }

  /** The node histogram as (g, h) pairs. */
  #pairs(hist: Float64Array): Float64Array {
    const q = this.#c.packing;
    if (q === undefined) return hist;
    const out = this.#unpacked as Float64Array;
    unpackHistogram(hist, out, this.#c.selected, this.#c.selectedCount, q.scale, q.gStep, q.hStep);
    return out;
  }

  grow(rows: number): GrownTree {
    const hist = this.#histogram();
    this.#c.builder.build([{ start: 0, end: rows, out: hist }]);
    // The root's sums from its histogram (any feature's bins add up to all rows).
    const first = (this.#c.selected[0] as number) * BIN_SLOTS;
    const pairs = this.#pairs(hist);
    let g = 0;
    let h = 0;
    for (let k = first; k < first + BIN_SLOTS; k += 2) {
      g += pairs[k] as number;
      h += pairs[k + 1] as number;
    }
    const root = this.#node(0, rows, g, h, 0);
    root.hist = hist;
    if (this.#c.params.growth === 'leafwise') this.#leafwise(root);
    else this.#depthwise(root);
    return { tree: this.#tree, leaves: this.#leaves, finalSplits: this.#finalSplits };
  }

  /** Level by level, as xgboost's default grow policy (Chen & Guestrin 2016). */
  #depthwise(root: GrowNode): void {
    const { maxDepth } = this.#c.params;
    let level = [root];
    for (let depth = 0; level.length > 0; depth++) {
      const splitting: [GrowNode, Split][] = [];
      for (const node of level) {
        const split = this.#findSplit(node);
        if (split === undefined) this.#finishLeaf(node);
        else splitting.push([node, split]);
      }
      if (depth + 1 === maxDepth) {
        // The children are leaves: give them their values without partitioning the rows.
        for (const [node, split] of splitting) this.#finalSplit(node, split);
        return;
      }
      const children = this.#split(splitting);
      const build: NodeRows[] = [];
      const siblings: [parent: Float64Array, built: Float64Array, other: Float64Array][] = [];
      splitting.forEach(([node], i) => {
        const left = children[2 * i] as GrowNode;
        const right = children[2 * i + 1] as GrowNode;
        // Build the smaller child; the larger is parent − smaller (Ke et al. 2017).
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        small.hist = this.#histogram();
        large.hist = this.#histogram();
        build.push({ start: small.start, end: small.end, out: small.hist });
        siblings.push([node.hist as Float64Array, small.hist, large.hist]);
        node.hist = undefined;
      });
      this.#c.builder.build(build);
      for (const [parent, built, other] of siblings) {
        subtractHistogram(parent, built, other, this.#c.selected, this.#c.selectedCount, this.#width());
        this.#free.push(parent);
      }
      level = children;
    }
  }

  /** Best leaf first, up to maxLeaves (LightGBM's leaf-wise growth, Ke et al. 2017). */
  #leafwise(root: GrowNode): void {
    const { maxDepth, maxLeaves } = this.#c.params;
    root.split = maxDepth > 0 ? this.#findSplit(root) : undefined;
    const open: GrowNode[] = [root];
    let leaves = 1;
    while (leaves < maxLeaves) {
      let best = -1;
      for (let i = 0; i < open.length; i++) {
        const split = (open[i] as GrowNode).split;
        // Ties go to the node created first, so growth never depends on anything but the data.
        if (split !== undefined && (best < 0 || split.gain > ((open[best] as GrowNode).split as Split).gain)) best = i;
      }
      if (best < 0) break;
      const node = open[best] as GrowNode;
      open.splice(best, 1);
      const [left, right] = this.#split([[node, node.split as Split]]) as [GrowNode, GrowNode];
      leaves++;
      if (node.depth + 1 < maxDepth && leaves < maxLeaves) {
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        small.hist = this.#histogram();
        large.hist = this.#histogram();
        this.#c.builder.build([{ start: small.start, end: small.end, out: small.hist }]);
        subtractHistogram(node.hist as Float64Array, small.hist, large.hist, this.#c.selected, this.#c.selectedCount, this.#width());
        left.split = this.#findSplit(left);
        right.split = this.#findSplit(right);
      }
      this.#release(node);
      open.push(left, right);
    }
    // Creation order, so the leaf list (and the margin updates) is the same on every run.
    open.sort((a, b) => a.id - b.id);
    for (const node of open) this.#finishLeaf(node);
  }

  #findSplit(node: GrowNode): Split | undefined {
    const c = this.#c;
    if (node.hist === undefined) return undefined;
    return findSplit(this.#pairs(node.hist), node.g, node.h, c.selected, c.selectedCount, c.binCounts, c.params);
  }

  /** Partitions the nodes' rows and records their splits; returns the children (left, right per node), as leaves. */
  #split(nodes: readonly [GrowNode, Split][]): GrowNode[] {
    const c = this.#c;
    const mids = c.partitioner.split(
      nodes.map(([node, split]) => ({ start: node.start, end: node.end, feature: split.feature, bin: split.bin, defaultLeft: split.defaultLeft })),
    );
    const children: GrowNode[] = [];
    nodes.forEach(([node, split], i) => {
      const mid = mids[i] as number;
      const bounds = c.bounds[split.feature] as Float64Array;
      const threshold = split.bin < bounds.length ? (bounds[split.bin] as number) : Number.POSITIVE_INFINITY;
      const left = this.#node(node.start, mid, split.gLeft, split.hLeft, node.depth + 1);
      const right = this.#node(mid, node.end, split.gRight, split.hRight, node.depth + 1);
      this.#tree.setSplit(node.id, { ...split, threshold }, left.id, right.id);
      children.push(left, right);
    });
    return children;
  }

  /** Splits a node into two leaves at the maximum depth, without partitioning its rows. */
  #finalSplit(node: GrowNode, split: Split): void {
    const c = this.#c;
    const bounds = c.bounds[split.feature] as Float64Array;
    const threshold = split.bin < bounds.length ? (bounds[split.bin] as number) : Number.POSITIVE_INFINITY;
    const left = this.#tree.addLeaf(this.#leafValue(split.gLeft, split.hLeft), split.hLeft);
    const right = this.#tree.addLeaf(this.#leafValue(split.gRight, split.hRight), split.hRight);
    this.#tree.setSplit(node.id, { ...split, threshold }, left, right);
    this.#finalSplits.push({
      start: node.start,
      end: node.end,
      feature: split.feature,
      bin: split.bin,
      defaultLeft: split.defaultLeft,
      left,
      right,
    });
    this.#release(node);
  }

  #node(start: number, end: number, g: number, h: number, depth: number): GrowNode {
    const id = this.#tree.addLeaf(0, h);
    return { id, start, end, g, h, depth, hist: undefined, split: undefined };
  }

  /** Leaf weight −G/(H+λ) (Chen & Guestrin 2016, eq. 5), shrunk by the learning rate. */
  #finishLeaf(node: GrowNode): void {
    this.#tree.setValue(node.id, this.#leafValue(node.g, node.h));
    this.#leaves.push({ node: node.id, start: node.start, end: node.end });
    this.#release(node);
  }

  #leafValue(g: number, h: number): number {
    const { lambda, learningRate } = this.#c.params;
    const denominator = h + lambda;
    return denominator > 0 ? (-g / denominator) * learningRate : 0;
  }

  #histogram(): Float64Array {
    return this.#free.pop() ?? new Float64Array(histogramLength(this.#c.work.features));
  }

  #release(node: GrowNode): void {
    if (node.hist !== undefined) this.#free.push(node.hist);
    node.hist = undefined;
  }
}
