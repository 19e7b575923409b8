import { MISSING_BIN } from './binning.js';

/** One tree while it grows: parallel arrays indexed by node id (the root is 0). */
export class TreeBuilder {
  readonly feature: number[] = [];
  /** Split bin (training codes) and the same split on raw values: x ≤ threshold goes left. */
  readonly bin: number[] = [];
  readonly threshold: number[] = [];
  readonly defaultLeft: boolean[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  /** Leaf value (learning rate applied); 0 on internal nodes. */
  readonly value: number[] = [];
  /** Loss change of the split (0 on leaves), for feature importance. */
  readonly gain: number[] = [];
  /** Hessian sum of the node's training rows. */
  readonly cover: number[] = [];

  get size(): number {
    return this.feature.length;
  }

  addLeaf(value: number, cover: number): number {
    this.feature.push(-1);
    this.bin.push(0);
    this.threshold.push(0);
    this.defaultLeft.push(false);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(value);
    this.gain.push(0);
    this.cover.push(cover);
    return this.feature.length - 1;
  }

  /** Turns leaf `node` into a split with children `left` and `right`. */
  setSplit(node: number, split: { feature: number; bin: number; threshold: number; defaultLeft: boolean; gain: number }, left: number, right: number): void {
    this.feature[node] = split.feature;
    this.bin[node] = split.bin;
    this.threshold[node] = split.threshold;
    this.defaultLeft[node] = split.defaultLeft;
    this.left[node] = left;
    this.right[node] = right;
    this.value[node] = 0;
    this.gain[node] = split.gain;
  }

  setValue(node: number, value: number): void {
    this.value[node] = value;
  }

  /** The leaf value for a row of training codes (row-major), following the split bins. */
  valueOfCodes(codes: Uint8Array, offset: number): number {
    let k = 0;
    while ((this.feature[k] as number) >= 0) {
      const code = codes[offset + (this.feature[k] as number)] as number;
      const goLeft = code === MISSING_BIN ? (this.defaultLeft[k] as boolean) : code <= (this.bin[k] as number);
      k = goLeft ? (this.left[k] as number) : (this.right[k] as number);
    }
    return this.value[k] as number;
  }

  /** The leaf value for row `row` of raw columns in the model's feature order (absent = all missing). */
  valueOfColumns(columns: readonly (Float64Array | undefined)[], row: number): number {
    let k = 0;
    while ((this.feature[k] as number) >= 0) {
      const v = columns[this.feature[k] as number]?.[row] ?? Number.NaN;
      const goLeft = v <= (this.threshold[k] as number) || (v !== v && (this.defaultLeft[k] as boolean));
      k = goLeft ? (this.left[k] as number) : (this.right[k] as number);
    }
    return this.value[k] as number;
  }
}
