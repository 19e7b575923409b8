/**
 * A running sum that stays exact to rounding when values are added and later subtracted
 * (Neumaier's improved Kahan summation, ZAMM 1974). A plain running sum keeps an error of about
 * ε · (the largest value it ever held): after a large error leaves a rolling window, a small
 * RMSE could be off by √ε times that value. The compensation term carries what rounding lost.
 */
export class CompensatedSum {
  #sum = 0;
  #compensation = 0;

  get value(): number {
    return this.#sum + this.#compensation;
  }

  add(x: number): void {
    const t = this.#sum + x;
    if (Math.abs(this.#sum) >= Math.abs(x)) this.#compensation += this.#sum - t + x;
    else this.#compensation += x - t + this.#sum;
    this.#sum = t;
  }

  reset(): void {
    this.#sum = 0;
    this.#compensation = 0;
  }
}
