import { MISSING_BIN } from './binning.js';
import { BIN_SLOTS } from './histogram.js';

/** The best split of a node: rows with code ≤ `bin` go left; missing values go `defaultLeft`. */
export interface Split {
  readonly gain: number;
  readonly feature: number;
  readonly bin: number;
  readonly defaultLeft: boolean;
  /** Gradient and hessian sums of each child. */
  readonly gLeft: number;
  readonly hLeft: number;
  readonly gRight: number;
  readonly hRight: number;
}

export interface SplitRules {
  readonly lambda: number;
  readonly minChildWeight: number;
  readonly minSplitGain: number;
}

/** xgboost's kRtEps: a split must reduce the loss by more than rounding noise. */
const MIN_GAIN = 1e-6;

/**
 * Exact greedy search over histogram bins (Chen & Guestrin 2016, Alg. 1 on bins, with the
 * sparsity-aware default direction of Alg. 3): every bin boundary is tried with the missing
 * rows sent left and right, plus "present vs missing". The gain is xgboost's loss change
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) (its gamma, our minSplitGain, compares to it).
 * Ties keep the first candidate: lower feature, lower bin, missing right.
 */
export function findSplit(
  hist: Float64Array,
  g: number,
  h: number,
  selected: Int32Array,
  selectedCount: number,
  binCounts: Int32Array,
  rules: SplitRules,
): Split | undefined {
  const { lambda, minChildWeight } = rules;
  const parentScore = (g * g) / (h + lambda);
  let bestGain = Math.max(rules.minSplitGain, MIN_GAIN);
  let found = false;
  let bestFeature = -1;
  let bestBin = -1;
  let bestLeft = false;
  let bestGl = 0;
  let bestHl = 0;
  for (let s = 0; s < selectedCount; s++) {
    const j = selected[s] as number;
    const base = j * BIN_SLOTS;
    const bins = binCounts[j] as number;
    const gm = hist[base + 2 * MISSING_BIN] as number;
    const hm = hist[base + 2 * MISSING_BIN + 1] as number;
    const hasMissing = hm > 0 || gm !== 0;
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < bins - 1; b++) {
      gl += hist[base + 2 * b] as number;
      hl += hist[base + 2 * b + 1] as number;
      // Missing values right.
      let gr = g - gl;
      let hr = h - hl;
      if (hl >= minChildWeight && hr >= minChildWeight) {
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          found = true;
          bestFeature = j;
          bestBin = b;
          // With no missing values here, send future ones to the heavier side.
          bestLeft = !hasMissing && hl >= hr;
          bestGl = gl;
          bestHl = hl;
        }
      }
      if (!hasMissing) continue;
      // Missing values left.
      const gl2 = gl + gm;
      const hl2 = hl + hm;
      gr = g - gl2;
      hr = h - hl2;
      if (hl2 >= minChildWeight && hr >= minChildWeight) {
        const gain = (gl2 * gl2) / (hl2 + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          found = true;
          bestFeature = j;
          bestBin = b;
          bestLeft = true;
          bestGl = gl2;
          bestHl = hl2;
        }
      }
    }
    if (hasMissing && bins >= 1) {
      // Every present value left, missing right: missingness itself as the split.
      gl += hist[base + 2 * (bins - 1)] as number;
      hl += hist[base + 2 * (bins - 1) + 1] as number;
      const gr = g - gl;
      const hr = h - hl;
      if (hl >= minChildWeight && hr >= minChildWeight) {
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          found = true;
          bestFeature = j;
          bestBin = bins - 1;
          bestLeft = false;
          bestGl = gl;
          bestHl = hl;
        }
      }
    }
  }
  if (!found) return undefined;
  return {
    gain: bestGain,
    feature: bestFeature,
    bin: bestBin,
    defaultLeft: bestLeft,
    gLeft: bestGl,
    hLeft: bestHl,
    gRight: g - bestGl,
    hRight: h - bestHl,
  };
}
