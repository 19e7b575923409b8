import { addToGaussian, gaussianOf, normalCdf, standardDeviation, type Gaussian } from './gaussian.js';

/** Weight seen per class: [class 0, class 1]. */
export type ClassCounts = [number, number];

/** A numeric attribute at a Hoeffding-tree leaf: one Gaussian per class (as MOA's and River's GaussianSplitter). */
export interface NumericObserver {
  readonly type: 'numeric';
  readonly classes: [Gaussian | null, Gaussian | null];
}

/** A categorical attribute: class counts per value, in first-seen order. */
export interface NominalObserver {
  readonly type: 'nominal';
  readonly values: Map<string, ClassCounts>;
}

export type AttributeObserver = NumericObserver | NominalObserver;

export type SplitTest = { readonly type: 'numeric'; readonly threshold: number } | { readonly type: 'nominal'; readonly values: readonly string[] };

export interface SplitSuggestion {
  readonly feature: string;
  readonly merit: number;
  readonly test: SplitTest;
  /** Class counts expected in each branch: numeric [≤ threshold, > threshold]; nominal per value. */
  readonly branches: readonly ClassCounts[];
}

export function observeNumeric(observer: NumericObserver, value: number, y: 0 | 1): void {
  const g = observer.classes[y];
  if (g === null) observer.classes[y] = gaussianOf(value);
  else addToGaussian(g, value);
}

export function observeNominal(observer: NominalObserver, value: string, y: 0 | 1): void {
  let counts = observer.values.get(value);
  if (counts === undefined) {
    counts = [0, 0];
    observer.values.set(value, counts);
  }
  counts[y] += 1;
}

/** The observer's best split by information gain, or undefined when it has none worth a look. */
export function bestSplit(feature: string, observer: AttributeObserver, options: { splitPoints: number; minBranchFraction: number }): SplitSuggestion | undefined {
  return observer.type === 'numeric' ? bestNumericSplit(feature, observer, options) : bestNominalSplit(feature, observer, options.minBranchFraction);
}

/**
 * Candidate thresholds evenly spaced inside the range seen; the class weight left of each is
 * estimated from the per-class Gaussians' CDFs, clipped to each class's own range.
 */
function bestNumericSplit(feature: string, observer: NumericObserver, options: { splitPoints: number; minBranchFraction: number }): SplitSuggestion | undefined {
  let low = Infinity;
  let high = -Infinity;
  for (const g of observer.classes) {
    if (g === null) continue;
    if (g.min < low) low = g.min;
    if (g.max > high) high = g.max;
  }
  if (!(low < high)) return undefined;
  let best: SplitSuggestion | undefined;
  for (let i = 1; i <= options.splitPoints; i++) {
    const threshold = low + ((high - low) * i) / (options.splitPoints + 1);
    const left: ClassCounts = [weightAtOrBelow(observer.classes[0], threshold), weightAtOrBelow(observer.classes[1], threshold)];
    const right: ClassCounts = [(observer.classes[0]?.n ?? 0) - left[0], (observer.classes[1]?.n ?? 0) - left[1]];
    const merit = infoGain([left, right], options.minBranchFraction);
    if (best === undefined || merit > best.merit) best = { feature, merit, test: { type: 'numeric', threshold }, branches: [left, right] };
  }
  return best !== undefined && best.merit > -Infinity ? best : undefined;
}

function weightAtOrBelow(g: Gaussian | null, threshold: number): number {
  if (g === null || threshold < g.min) return 0;
  if (threshold >= g.max) return g.n;
  const sd = standardDeviation(g);
  return sd > 0 ? g.n * normalCdf((threshold - g.mean) / sd) : g.n;
}

function bestNominalSplit(feature: string, observer: NominalObserver, minBranchFraction: number): SplitSuggestion | undefined {
  if (observer.values.size < 2) return undefined;
  const branches = [...observer.values.values()].map((counts): ClassCounts => [counts[0], counts[1]]);
  const merit = infoGain(branches, minBranchFraction);
  if (merit === -Infinity) return undefined;
  return { feature, merit, test: { type: 'nominal', values: [...observer.values.keys()] }, branches };
}

/**
 * Information gain (bits) of splitting the union of `branches` into them; −∞ unless at least two
 * branches hold `minBranchFraction` of the weight (River's guard against slivers).
 */
export function infoGain(branches: readonly ClassCounts[], minBranchFraction: number): number {
  let total0 = 0;
  let total1 = 0;
  for (const b of branches) {
    total0 += b[0];
    total1 += b[1];
  }
  const total = total0 + total1;
  if (total <= 0) return -Infinity;
  let substantial = 0;
  let after = 0;
  for (const b of branches) {
    const weight = b[0] + b[1];
    if (weight > minBranchFraction * total) substantial++;
    if (weight > 0) after += (weight / total) * entropy(b[0], b[1]);
  }
  if (substantial < 2) return -Infinity;
  return entropy(total0, total1) - after;
}

export function entropy(a: number, b: number): number {
  const total = a + b;
  if (total <= 0) return 0;
  let h = 0;
  if (a > 0) h -= (a / total) * Math.log2(a / total);
  if (b > 0) h -= (b / total) * Math.log2(b / total);
  return h;
}
