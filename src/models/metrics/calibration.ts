import { checkBinaryLabels, checkPairs, checkProbabilities } from './check.js';
import { positiveInteger } from './options.js';

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** The bin covers [lower, upper); the last bin also holds 1. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted probability of the bin's examples; NaN when the bin is empty. */
  readonly meanPredicted: number;
  /** Share of the bin's examples labelled 1; NaN when the bin is empty. */
  readonly observedRate: number;
}

export interface CalibrationOptions {
  /**
   * Number of equal-width bins over [0, 1].
   * @default 10
   */
  readonly bins?: number;
}

/**
 * Fixed-width reliability bins: bin k holds probabilities in [k/n, (k+1)/n), the last also 1 (the
 * `numpy.histogram` convention, and the `>= threshold` side of a decision). All n bins are
 * returned, empty ones with count 0, so diagrams line up across models. scikit-learn 1.2's
 * `calibration_curve(strategy='uniform')` drops empty bins and puts a probability lying exactly
 * on an inner edge into the lower bin.
 */
export function reliabilityBins(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CalibrationOptions = {},
): ReliabilityBin[] {
  checkCalibrationInput('reliabilityBins', probabilities, labels);
  return binsOf(probabilities, labels, binCountOf('reliabilityBins', options));
}

/**
 * Expected calibration error (Naeini, Cooper & Hauskrecht, AAAI 2015; Guo et al., ICML 2017):
 * Σ (count / N) · |meanPredicted − observedRate| over the non-empty fixed-width bins. Depends on
 * the number of bins; compare models at the same `bins`. NaN for no examples.
 */
export function expectedCalibrationError(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CalibrationOptions = {},
): number {
  checkCalibrationInput('expectedCalibrationError', probabilities, labels);
  return eceOf(binsOf(probabilities, labels, binCountOf('expectedCalibrationError', options)));
}

/** ECE from bins already computed (trusts them). */
export function eceOf(bins: readonly ReliabilityBin[]): number {
  let total = 0;
  let weighted = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    total += bin.count;
    weighted += bin.count * Math.abs(bin.meanPredicted - bin.observedRate);
  }
  return total === 0 ? Number.NaN : weighted / total;
}

/** Trusts its input: equal lengths, 0/1 labels, probabilities in [0, 1], n ≥ 1. */
export function binsOf(probabilities: ArrayLike<number>, labels: ArrayLike<number>, n: number): ReliabilityBin[] {
  const counts = new Float64Array(n);
  const predictedSums = new Float64Array(n);
  const positives = new Float64Array(n);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    const k = binIndex(p, n);
    counts[k] = (counts[k] as number) + 1;
    predictedSums[k] = (predictedSums[k] as number) + p;
    positives[k] = (positives[k] as number) + (labels[i] as number);
  }
  const bins: ReliabilityBin[] = [];
  for (let k = 0; k < n; k++) {
    const count = counts[k] as number;
    bins.push({
      lower: k / n,
      upper: (k + 1) / n,
      count,
      meanPredicted: count === 0 ? Number.NaN : (predictedSums[k] as number) / count,
      observedRate: count === 0 ? Number.NaN : (positives[k] as number) / count,
    });
  }
  return bins;
}

/** floor(p · n) can land one bin off when p sits on an edge k/n; compare with the edges themselves. */
function binIndex(p: number, n: number): number {
  let k = Math.min(Math.floor(p * n), n - 1);
  if (k > 0 && p < k / n) k--;
  else if (k < n - 1 && p >= (k + 1) / n) k++;
  return k;
}

function checkCalibrationInput(metric: string, probabilities: ArrayLike<number>, labels: ArrayLike<number>): void {
  checkPairs(metric, probabilities, labels);
  checkBinaryLabels(metric, labels);
  checkProbabilities(metric, probabilities);
}

export function binCountOf(metric: string, options: CalibrationOptions): number {
  return positiveInteger(metric, 'bins', options.bins ?? 10);
}
