import { TandemError } from '../../errors.js';
import { CompensatedSum } from './compensated-sum.js';
import { positiveInteger } from './options.js';

export interface RollingRegressionOptions {
  /** Number of most recent examples the metrics cover. */
  readonly window: number;
}

/** The metrics over the current window; NaN when it is empty. */
export interface RollingRegressionReport {
  readonly count: number;
  readonly mae: number;
  readonly rmse: number;
}

/**
 * MAE and RMSE over the last `window` examples, all O(1): a ring of errors with compensated running
 * sums (see `CompensatedSum`), re-added from the ring each time it wraps so nothing accumulates
 * over a long stream (amortised O(1)). Memory: 8 bytes per window slot.
 */
export class RollingRegressionMetrics {
  readonly window: number;
  readonly #errors: Float64Array;
  #next = 0;
  #count = 0;
  readonly #absoluteSum = new CompensatedSum();
  readonly #squaredSum = new CompensatedSum();

  constructor(options: RollingRegressionOptions) {
    this.window = positiveInteger('RollingRegressionMetrics', 'window', options.window);
    this.#errors = new Float64Array(this.window);
  }

  get count(): number {
    return this.#count;
  }

  update(prediction: number, target: number): void {
    if (!Number.isFinite(prediction) || !Number.isFinite(target)) {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `RollingRegressionMetrics: prediction ${prediction} and target ${target} must both be finite`,
      );
    }
    const error = prediction - target;
    const slot = this.#next;
    if (this.#count === this.window) {
      const old = this.#errors[slot] as number;
      this.#absoluteSum.add(-Math.abs(old));
      this.#squaredSum.add(-old * old);
    } else {
      this.#count++;
    }
    this.#errors[slot] = error;
    this.#absoluteSum.add(Math.abs(error));
    this.#squaredSum.add(error * error);
    this.#next = slot + 1 === this.window ? 0 : slot + 1;
    if (this.#next === 0) this.#resum();
  }

  mae(): number {
    return this.#count === 0 ? Number.NaN : this.#absoluteSum.value / this.#count;
  }

  rmse(): number {
    return this.#count === 0 ? Number.NaN : Math.sqrt(Math.max(this.#squaredSum.value, 0) / this.#count);
  }

  report(): RollingRegressionReport {
    return { count: this.#count, mae: this.mae(), rmse: this.rmse() };
  }

  #resum(): void {
    this.#absoluteSum.reset();
    this.#squaredSum.reset();
    for (let i = 0; i < this.#count; i++) {
      const error = this.#errors[i] as number;
      this.#absoluteSum.add(Math.abs(error));
      this.#squaredSum.add(error * error);
    }
  }
}
