import { TandemError } from '../../errors.js';
import { CompensatedSum } from './compensated-sum.js';
import { binsOf, eceOf } from './calibration.js';
import { thresholdOf } from './confusion.js';
import { EPSILON } from './log-loss.js';
import { rocAucOf } from './roc-curve.js';
import { thresholdSweep } from './threshold-sweep.js';
import { positiveInteger } from './options.js';

export interface RollingBinaryOptions {
  /** Number of most recent examples the metrics cover. */
  readonly window: number;
  /**
   * Accuracy counts `probability >= threshold` as a positive prediction.
   * @default 0.5
   */
  readonly threshold?: number;
}

/** The metrics over the current window; NaN where undefined (empty window, one class for AUC). */
export interface RollingBinaryReport {
  readonly count: number;
  readonly rocAuc: number;
  readonly logLoss: number;
  readonly accuracy: number;
}

/**
 * Binary metrics over the last `window` examples, for monitoring and prequential series.
 * `update`, `logLoss` and `accuracy` are O(1): a ring buffer keeps each example's loss term and
 * running sums add the newest and subtract the evicted one (the loss sum compensated, see
 * `CompensatedSum`, and re-added from the ring each time it wraps, so rounding cannot accumulate
 * over a long stream; amortised O(1)).
 * `rocAuc` is exact and recomputed from the window on each call: O(window · log window) time and
 * O(window) temporary memory, so ask for it at report time, not per example.
 * Memory: 17 bytes per window slot.
 */
export class RollingBinaryMetrics {
  readonly window: number;
  readonly #threshold: number;
  readonly #probabilities: Float64Array;
  readonly #labels: Uint8Array;
  readonly #losses: Float64Array;
  #next = 0;
  #count = 0;
  readonly #lossSum = new CompensatedSum();
  #correct = 0;

  constructor(options: RollingBinaryOptions) {
    this.window = positiveInteger('RollingBinaryMetrics', 'window', options.window);
    this.#threshold = thresholdOf('RollingBinaryMetrics', options);
    this.#probabilities = new Float64Array(this.window);
    this.#labels = new Uint8Array(this.window);
    this.#losses = new Float64Array(this.window);
  }

  /** Examples in the window (at most `window`). */
  get count(): number {
    return this.#count;
  }

  /** Adds one example, evicting the oldest when the window is full. */
  update(probability: number, label: number): void {
    if (!(probability >= 0 && probability <= 1)) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `RollingBinaryMetrics: probability ${probability} must lie in [0, 1]`,
      );
    }
    if (label !== 0 && label !== 1) {
      throw new TandemError('TANDEM_INVALID_DATASET', `RollingBinaryMetrics: label ${label} must be 0 or 1`);
    }
    const slot = this.#next;
    if (this.#count === this.window) {
      this.#lossSum.add(-(this.#losses[slot] as number));
      if (this.#isCorrect(this.#probabilities[slot] as number, this.#labels[slot] as number)) this.#correct--;
    } else {
      this.#count++;
    }
    const p = Math.min(Math.max(probability, EPSILON), 1 - EPSILON);
    const loss = label === 1 ? -Math.log(p) : -Math.log1p(-p);
    this.#probabilities[slot] = probability;
    this.#labels[slot] = label;
    this.#losses[slot] = loss;
    this.#lossSum.add(loss);
    if (this.#isCorrect(probability, label)) this.#correct++;
    this.#next = slot + 1 === this.window ? 0 : slot + 1;
    if (this.#next === 0) this.#resum();
  }

  /** Exact ROC AUC of the window (see the class note on cost). */
  rocAuc(): number {
    // The window was validated on the way in, so the trusting sweep is enough.
    return rocAucOf(thresholdSweep(this.#probabilities.subarray(0, this.#count), this.#labels.subarray(0, this.#count)));
  }

  /** Expected calibration error of the window over `bins` fixed-width bins (O(window)). */
  calibrationError(bins = 10): number {
    return eceOf(binsOf(this.#probabilities.subarray(0, this.#count), this.#labels.subarray(0, this.#count), bins));
  }

  /** Mean log loss of the window, probabilities clipped as in `logLoss`. */
  logLoss(): number {
    return this.#count === 0 ? Number.NaN : this.#lossSum.value / this.#count;
  }

  accuracy(): number {
    return this.#count === 0 ? Number.NaN : this.#correct / this.#count;
  }

  report(): RollingBinaryReport {
    return { count: this.#count, rocAuc: this.rocAuc(), logLoss: this.logLoss(), accuracy: this.accuracy() };
  }

  #isCorrect(probability: number, label: number): boolean {
    return (probability >= this.#threshold ? 1 : 0) === label;
  }

  #resum(): void {
    this.#lossSum.reset();
    for (let i = 0; i < this.#count; i++) this.#lossSum.add(this.#losses[i] as number);
  }
}
