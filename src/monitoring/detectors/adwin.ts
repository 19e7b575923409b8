import { z } from 'zod';
import type { JsonValue } from '../../models/artifact.js';
import { parseParams, wholeNumber } from '../../models/shared/params.js';
import { detectorJson, type DetectorState, type DriftDetector } from './detector.js';
import { checkFinite, countAt, detectorStateAt, finiteAt, invalidDetectorJson, type StateRecord } from './json-state.js';

const KIND = 'adwin';

// River's drift.ADWIN defaults.
export const adwinParamsSchema = z.strictObject({
  /** Confidence of the cut test: lower means fewer false alarms and later detections. @default 0.002 */
  delta: z
    .number({ error: 'must be a number' })
    .refine((v) => v > 0 && v < 1, { error: 'must be between 0 and 1 (exclusive)' })
    .default(0.002),
  /** Test for a cut every `clock` values. @default 32 */
  clock: wholeNumber(1).default(32),
  /** Buckets of each size kept before the two oldest merge. @default 5 */
  maxBuckets: wholeNumber(1, 1000).default(5),
  /** Fewest values either side of a cut. @default 5 */
  minWindowLength: wholeNumber(1).default(5),
  /** No test until the window holds more than this many values. @default 10 */
  gracePeriod: wholeNumber(0).default(10),
});

export type AdwinParams = z.input<typeof adwinParamsSchema>;
type Config = z.output<typeof adwinParamsSchema>;

/** Buckets of one size, 2^row values each, oldest first: their sums and sums of squared deviations. */
interface Row {
  readonly totals: Float64Array;
  readonly variances: Float64Array;
  count: number;
}

/**
 * ADWIN2 (Bifet & Gavaldà 2007, "Learning from time-changing data with adaptive windowing"): a
 * window of recent values compressed into an exponential histogram (rows of buckets of 1, 2, 4, …
 * values), shrunk from its old end while some split into an older part W0 and a newer part W1 has
 * means further apart than the bound ε below. The cut test is River's `drift.ADWIN` (variance
 * term of Bernstein's inequality, each side shortened by `minWindowLength − 1`); unlike River,
 * every bucket boundary is a candidate cut, and after a drift the window keeps W1 as the paper
 * does (current River empties it), so `estimation` is the new mean at once.
 */
export class Adwin implements DriftDetector {
  readonly name = KIND;
  readonly params: Readonly<Config>;
  #rows: Row[] = [];
  #width = 0;
  #total = 0;
  /** Sum of squared deviations from the window mean. */
  #variance = 0;
  #tick = 0;
  #seen = 0;
  #changes = 0;
  #state: DetectorState = 'stable';

  /** Use `adwin(params)` or `createDetector({ kind: 'adwin', … })`. */
  constructor(params: Config) {
    this.params = params;
    this.reset();
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

  /** Values in the window. */
  get width(): number {
    return this.#width;
  }

  /** Mean of the window (0 when empty). */
  get estimation(): number {
    return this.#width === 0 ? 0 : this.#total / this.#width;
  }

  /** Population variance of the window (0 when empty). */
  get variance(): number {
    return this.#width === 0 ? 0 : this.#variance / this.#width;
  }

  update(x: number): DetectorState {
    x = checkFinite(KIND, x);
    this.#seen += 1;
    this.#insert(x);
    this.#tick += 1;
    let drift = false;
    if (this.#tick % this.params.clock === 0 && this.#width > this.params.gracePeriod) {
      while (this.#hasCut()) {
        this.#dropOldest();
        drift = true;
      }
    }
    if (drift) this.#changes += 1;
    this.#state = drift ? 'drift' : 'stable';
    return this.#state;
  }

  reset(): void {
    this.#rows = [this.#newRow()];
    this.#width = 0;
    this.#total = 0;
    this.#variance = 0;
    this.#tick = 0;
    this.#seen = 0;
    this.#changes = 0;
    this.#state = 'stable';
  }

  toJSON(): JsonValue {
    return detectorJson(KIND, { ...this.params }, {
      rows: this.#rows.map((row) => {
        const pairs: number[] = [];
        for (let k = 0; k < row.count; k++) pairs.push(row.totals[k] as number, row.variances[k] as number);
        return pairs;
      }),
      width: this.#width,
      total: this.#total,
      variance: this.#variance,
      tick: this.#tick,
      seen: this.#seen,
      changes: this.#changes,
      state: this.#state,
    });
  }

  /** Restores the state `toJSON` saved; `loadDetector` checks the envelope and parameters first. */
  static fromState(params: Config, state: StateRecord): Adwin {
    const detector = new Adwin(params);
    const rows = state['rows'];
    if (!Array.isArray(rows) || rows.length === 0) throw invalidDetectorJson(KIND, "'rows' must be a non-empty list");
    let width = 0;
    detector.#rows = (rows as readonly JsonValue[]).map((pairs, r) => {
      const ok = Array.isArray(pairs) && pairs.length % 2 === 0 && pairs.length <= 2 * params.maxBuckets;
      if (!ok || !(pairs as readonly JsonValue[]).every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw invalidDetectorJson(KIND, `row ${r} must hold at most ${params.maxBuckets} (total, variance) pairs of finite numbers`);
      }
      const row = detector.#newRow();
      const values = pairs as readonly number[];
      row.count = values.length / 2;
      for (let k = 0; k < row.count; k++) {
        row.totals[k] = values[2 * k] as number;
        row.variances[k] = values[2 * k + 1] as number;
      }
      width += row.count * 2 ** r;
      return row;
    });
    detector.#width = countAt(KIND, state, 'width');
    if (detector.#width !== width) throw invalidDetectorJson(KIND, `'width' is ${detector.#width} but the buckets hold ${width} values`);
    detector.#total = finiteAt(KIND, state, 'total');
    detector.#variance = finiteAt(KIND, state, 'variance');
    detector.#tick = countAt(KIND, state, 'tick');
    detector.#seen = countAt(KIND, state, 'seen');
    detector.#changes = countAt(KIND, state, 'changes');
    detector.#state = detectorStateAt(KIND, state, ['stable', 'drift']);
    return detector;
  }

  #newRow(): Row {
    // One spare slot: a row holds maxBuckets + 1 buckets for the moment before its two oldest merge.
    return { totals: new Float64Array(this.params.maxBuckets + 1), variances: new Float64Array(this.params.maxBuckets + 1), count: 0 };
  }

  #insert(x: number): void {
    const row = this.#rows[0] as Row;
    row.totals[row.count] = x;
    row.variances[row.count] = 0;
    row.count += 1;
    if (this.#width > 0) {
      const d = x - this.#total / this.#width;
      this.#variance += (this.#width * d * d) / (this.#width + 1);
    }
    this.#width += 1;
    this.#total += x;
    this.#compress();
  }

  /** A row over capacity merges its two oldest buckets into one of the next size (Chan et al.'s pairwise variance). */
  #compress(): void {
    const max = this.params.maxBuckets;
    for (let r = 0; r < this.#rows.length; r++) {
      const row = this.#rows[r] as Row;
      if (row.count <= max) return;
      if (r + 1 === this.#rows.length) this.#rows.push(this.#newRow());
      const next = this.#rows[r + 1] as Row;
      const size = 2 ** r;
      const t0 = row.totals[0] as number;
      const t1 = row.totals[1] as number;
      const d = (t0 - t1) / size;
      next.totals[next.count] = t0 + t1;
      next.variances[next.count] = (row.variances[0] as number) + (row.variances[1] as number) + (size * d * d) / 2;
      next.count += 1;
      row.totals.copyWithin(0, 2, row.count);
      row.variances.copyWithin(0, 2, row.count);
      row.count -= 2;
    }
  }

  /**
   * Whether some split W0 | W1 at a bucket boundary has |μ0 − μ1| > ε, with
   * ε = √(2 m σ² ln(2 ln n / δ)) + (2/3) m ln(2 ln n / δ), m = 1/(n0 − L + 1) + 1/(n1 − L + 1),
   * σ² the window's variance, n its width and L = minWindowLength.
   */
  #hasCut(): boolean {
    const L = this.params.minWindowLength;
    const width = this.#width;
    const logTerm = Math.log((2 * Math.log(width)) / this.params.delta);
    const varianceTerm = 2 * Math.max(0, this.#variance / width) * logTerm;
    let n0 = 0;
    let u0 = 0;
    for (let r = this.#rows.length - 1; r >= 0; r--) {
      const row = this.#rows[r] as Row;
      const size = 2 ** r;
      for (let k = 0; k < row.count; k++) {
        n0 += size;
        u0 += row.totals[k] as number;
        const n1 = width - n0;
        if (n1 < L) return false;
        if (n0 < L) continue;
        const m = 1 / (n0 - L + 1) + 1 / (n1 - L + 1);
        const epsilon = Math.sqrt(m * varianceTerm) + (2 / 3) * logTerm * m;
        if (Math.abs(u0 / n0 - (this.#total - u0) / n1) > epsilon) return true;
      }
    }
    return false;
  }

  #dropOldest(): void {
    const r = this.#rows.length - 1;
    const row = this.#rows[r] as Row;
    const size = 2 ** r;
    const u = row.totals[0] as number;
    this.#width -= size;
    this.#total -= u;
    const d = u / size - this.#total / this.#width;
    this.#variance -= (row.variances[0] as number) + (size * this.#width * d * d) / (size + this.#width);
    row.totals.copyWithin(0, 1, row.count);
    row.variances.copyWithin(0, 1, row.count);
    row.count -= 1;
    if (row.count === 0 && r > 0) this.#rows.pop();
  }
}

/** A new ADWIN detector; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function adwin(params: AdwinParams = {}): Adwin {
  return new Adwin(parseParams(KIND, adwinParamsSchema, params));
}
