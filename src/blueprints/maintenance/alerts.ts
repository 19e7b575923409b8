/** One alert raised on a machine: it fires once, then stays open while its scores stay high. */
export interface Alert {
  readonly machine: string;
  /** What the score is about: a subsystem, or all sensors. */
  readonly channel: string;
  /** When the alert fired: the reading that completed the run of high scores. */
  readonly firedAt: number;
  /** The machine's reading count at that reading (its first reading is 0). */
  readonly readingIndex: number;
  /** The last high-scoring reading before the alert closed. */
  lastHighAt: number;
  peakScore: number;
}

export interface AlertRuleOptions {
  /** Consecutive readings above the threshold before an alert fires. */
  readonly confirm: number;
  /** An open alert closes after this long without a high score; a new one may fire after. */
  readonly cooldownMs: number;
}

/**
 * Turns one machine's scores on one channel into alerts: `confirm` consecutive scores above the threshold fire
 * one, which absorbs further high scores until `cooldownMs` passes without any. A short run
 * damps single noisy readings; the cool-down keeps one fault from raising a storm of alerts.
 */
export class AlertRule {
  readonly #options: AlertRuleOptions;
  readonly #machine: string;
  readonly #channel: string;
  #run = 0;
  #open: Alert | undefined;

  constructor(machine: string, channel: string, options: AlertRuleOptions) {
    this.#machine = machine;
    this.#channel = channel;
    this.#options = options;
  }

  /** Takes one scored reading; returns the alert it fires, if any. */
  observe(ts: number, readingIndex: number, score: number, threshold: number): Alert | undefined {
    const open = this.#open;
    if (open !== undefined && ts - open.lastHighAt > this.#options.cooldownMs) this.#open = undefined;
    if (!(score > threshold)) {
      this.#run = 0;
      return undefined;
    }
    this.#run++;
    if (this.#open !== undefined) {
      this.#open.lastHighAt = ts;
      this.#open.peakScore = Math.max(this.#open.peakScore, score);
      return undefined;
    }
    if (this.#run < this.#options.confirm) return undefined;
    this.#open = { machine: this.#machine, channel: this.#channel, firedAt: ts, readingIndex, lastHighAt: ts, peakScore: score };
    return this.#open;
  }
}
