import { z } from 'zod';
import type { JsonValue } from '../../models/artifact.js';
import { above, atLeast, oneOf, parseParams, wholeNumber } from '../../models/shared/params.js';
import { detectorJson, type DetectorState, type DriftDetector } from './detector.js';
import { checkFinite, countAt, detectorStateAt, finiteAt, type StateRecord } from './json-state.js';

const KIND = 'page-hinkley';

// River's drift.PageHinkley defaults.
export const pageHinkleyParamsSchema = z.strictObject({
  /** No detection before this many values (since the start or the last drift). @default 30 */
  minInstances: wholeNumber(1).default(30),
  /** Deviations up to this size are tolerated: each value adds its deviation minus delta. @default 0.005 */
  delta: atLeast(0).default(0.005),
  /** Drift when a cumulative sum departs from its extreme by more than this (λ). @default 50 */
  threshold: above(0).default(50),
  /** Forgetting factor of the cumulative sums, in (0, 1]. @default 0.9999 */
  alpha: z
    .number({ error: 'must be a number' })
    .refine((v) => v > 0 && v <= 1, { error: 'must be > 0 and ≤ 1' })
    .default(1 - 0.0001),
  /** Detect increases of the mean ('up'), decreases ('down') or both. @default 'both' */
  mode: oneOf(['up', 'down', 'both']).default('both'),
});

export type PageHinkleyParams = z.input<typeof pageHinkleyParamsSchema>;
type Config = z.output<typeof pageHinkleyParamsSchema>;

/**
 * The Page-Hinkley test (Page 1954, "Continuous inspection schemes"), two-sided as in River's
 * `drift.PageHinkley`: with x̄ the running mean, m⁺ ← α m⁺ + (x − x̄ − δ) and
 * m⁻ ← α m⁻ + (x − x̄ + δ); drift when m⁺ − min m⁺ or max m⁻ − m⁻ exceeds λ. After a drift the
 * next value starts the test afresh, as River does.
 */
export class PageHinkley implements DriftDetector {
  readonly name = KIND;
  readonly params: Readonly<Config>;
  #n = 0;
  #mean = 0;
  #sumIncrease = 0;
  #minIncrease = 0;
  #sumDecrease = 0;
  #maxDecrease = 0;
  #seen = 0;
  #changes = 0;
  #state: DetectorState = 'stable';

  /** Use `pageHinkley(params)` or `createDetector({ kind: 'page-hinkley', … })`. */
  constructor(params: Config) {
    this.params = params;
  }

  get state(): DetectorState {
    return this.#state;
  }

  get changes(): number {
    return this.#changes;
  }

  get seen(): number {
    return this.#seen;
  }

  /** Running mean since the start or the last drift. */
  get mean(): number {
    return this.#mean;
  }

  /** m⁺ − min m⁺: evidence of an increase. */
  get increase(): number {
    return this.#sumIncrease - this.#minIncrease;
  }

  /** max m⁻ − m⁻: evidence of a decrease. */
  get decrease(): number {
    return this.#maxDecrease - this.#sumDecrease;
  }

  update(x: number): DetectorState {
    x = checkFinite(KIND, x);
    if (this.#state === 'drift') this.#restart();
    this.#seen += 1;
    this.#n += 1;
    this.#mean += (x - this.#mean) / this.#n;
    const deviation = x - this.#mean;
    const { alpha, delta, threshold, mode } = this.params;
    this.#sumIncrease = alpha * this.#sumIncrease + deviation - delta;
    this.#sumDecrease = alpha * this.#sumDecrease + deviation + delta;
    // Starting the extremes at 0 gives River's values (min from +∞, max from −1): the first
    // deviation is 0, so the first sums are −δ ≤ 0 and +δ ≥ 0.
    if (this.#sumIncrease < this.#minIncrease) this.#minIncrease = this.#sumIncrease;
    if (this.#sumDecrease > this.#maxDecrease) this.#maxDecrease = this.#sumDecrease;
    let drift = false;
    if (this.#n >= this.params.minInstances) {
      drift = (mode !== 'down' && this.increase > threshold) || (mode !== 'up' && this.decrease > threshold);
    }
    if (drift) this.#changes += 1;
    this.#state = drift ? 'drift' : 'stable';
    return this.#state;
  }

  reset(): void {
    this.#restart();
    this.#seen = 0;
    this.#changes = 0;
    this.#state = 'stable';
  }

  toJSON(): JsonValue {
    return detectorJson(KIND, { ...this.params }, {
      n: this.#n,
      mean: this.#mean,
      sumIncrease: this.#sumIncrease,
      minIncrease: this.#minIncrease,
      sumDecrease: this.#sumDecrease,
      maxDecrease: this.#maxDecrease,
      seen: this.#seen,
      changes: this.#changes,
      state: this.#state,
    });
  }

  /** Restores the state `toJSON` saved; `loadDetector` checks the envelope and parameters first. */
  static fromState(params: Config, state: StateRecord): PageHinkley {
    const detector = new PageHinkley(params);
    detector.#n = countAt(KIND, state, 'n');
    detector.#mean = finiteAt(KIND, state, 'mean');
    detector.#sumIncrease = finiteAt(KIND, state, 'sumIncrease');
    detector.#minIncrease = finiteAt(KIND, state, 'minIncrease');
    detector.#sumDecrease = finiteAt(KIND, state, 'sumDecrease');
    detector.#maxDecrease = finiteAt(KIND, state, 'maxDecrease');
    detector.#seen = countAt(KIND, state, 'seen');
    detector.#changes = countAt(KIND, state, 'changes');
    detector.#state = detectorStateAt(KIND, state, ['stable', 'drift']);
    return detector;
  }

  #restart(): void {
    this.#n = 0;
    this.#mean = 0;
    this.#sumIncrease = 0;
    this.#minIncrease = 0;
    this.#sumDecrease = 0;
    this.#maxDecrease = 0;
  }
}

/** A new Page-Hinkley detector; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function pageHinkley(params: PageHinkleyParams = {}): PageHinkley {
  return new PageHinkley(parseParams(KIND, pageHinkleyParamsSchema, params));
}
