/** Forecast accuracy over a set of (actual, forecast) pairs. */
export interface Accuracy {
  /** Mean absolute percentage error, %, over the pairs whose actual is above 0. */
  readonly mape: number;
  /** Symmetric MAPE, %: mean of 2|e| / (|y| + |ŷ|), a pair with both 0 counting 0. Bounded by 200. */
  readonly smape: number;
  /** Weighted absolute percentage error, %: Σ|e| / Σ|y|. Robust to small and zero actuals. */
  readonly wape: number;
  /** Pairs compared. */
  readonly count: number;
  /** Pairs left out of MAPE because the actual was 0 (a closed day): APE is undefined there. */
  readonly zeroActuals: number;
}

/** Accumulates absolute errors; MAPE skips zero actuals, sMAPE and WAPE keep them. */
export class AccuracyTally {
  #count = 0;
  #zeros = 0;
  #ape = 0;
  #sape = 0;
  #absError = 0;
  #absActual = 0;

  add(actual: number, forecast: number): void {
    const error = Math.abs(actual - forecast);
    this.#count++;
    this.#absError += error;
    this.#absActual += Math.abs(actual);
    const scale = Math.abs(actual) + Math.abs(forecast);
    this.#sape += scale === 0 ? 0 : (2 * error) / scale;
    if (actual === 0) this.#zeros++;
    else this.#ape += error / Math.abs(actual);
  }

  result(): Accuracy {
    const rated = this.#count - this.#zeros;
    return {
      mape: rated === 0 ? NaN : (100 * this.#ape) / rated,
      smape: this.#count === 0 ? NaN : (100 * this.#sape) / this.#count,
      wape: this.#absActual === 0 ? NaN : (100 * this.#absError) / this.#absActual,
      count: this.#count,
      zeroActuals: this.#zeros,
    };
  }
}
