import { z } from 'zod';
import { TandemError, quote } from '../../errors.js';
import type { JsonValue } from '../../models/artifact.js';
import { above, parseParams, wholeNumber } from '../../models/shared/params.js';
import { detectorJson, type DetectorState, type DriftDetector } from './detector.js';
import { countAt, detectorStateAt, invalidDetectorJson, minimumAt, savedMinimum, type StateRecord } from './json-state.js';

const KIND = 'ddm';

// River's drift.binary.DDM defaults.
export const ddmParamsSchema = z
  .strictObject({
    /** No warning or drift until more than this many values (since the start or the last drift). @default 30 */
    warmStart: wholeNumber(0).default(30),
    /** Warning when p + s > p_min + warningThreshold · s_min (about 95 % confidence). @default 2 */
    warningThreshold: above(0).default(2),
    /** Drift when p + s > p_min + driftThreshold · s_min (about 99 % confidence). @default 3 */
    driftThreshold: above(0).default(3),
  })
  .refine((p) => p.driftThreshold >= p.warningThreshold, {
    path: ['driftThreshold'],
    error: 'must be ≥ warningThreshold',
  });

export type DdmParams = z.input<typeof ddmParamsSchema>;
type Config = z.output<typeof ddmParamsSchema>;

/**
 * DDM (Gama, Medas, Castillo & Rodrigues 2004, "Learning with drift detection") on a stream of
 * 0/1 errors, as River's `drift.binary.DDM`: p is the error rate since the start (or the last
 * drift), s = √(p(1 − p)/n) its standard deviation, and (p_min, s_min) are taken where p + s was
 * lowest. While the learner improves p + s falls; a rise past p_min + 2 s_min is a warning, past
 * p_min + 3 s_min a drift, after which the next value starts afresh.
 */
export class Ddm implements DriftDetector {
  readonly name = KIND;
  readonly params: Readonly<Config>;
  #n = 0;
  #errors = 0;
  #pMin = Number.POSITIVE_INFINITY;
  #sMin = Number.POSITIVE_INFINITY;
  #psMin = Number.POSITIVE_INFINITY;
  #seen = 0;
  #changes = 0;
  #state: DetectorState = 'stable';

  /** Use `ddm(params)` or `createDetector({ kind: 'ddm', … })`. */
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

  /** Error rate p since the start or the last drift (0 before any value). */
  get errorRate(): number {
    return this.#n === 0 ? 0 : this.#errors / this.#n;
  }

  /** p_min and s_min, the error rate and its deviation where p + s was lowest (null during warm start). */
  get minimum(): { readonly p: number; readonly s: number } | null {
    return Number.isFinite(this.#psMin) ? { p: this.#pMin, s: this.#sMin } : null;
  }

  /** `x` is 1 for a wrong prediction and 0 for a right one. */
  update(x: number): DetectorState {
    if (x !== 0 && x !== 1) {
      throw new TandemError('TANDEM_INVALID_DATASET', `ddm: update() needs 0 (right) or 1 (wrong), got ${typeof x === 'number' ? String(x) : quote(x)}`, {
        details: { detector: KIND, value: x },
      });
    }
    if (this.#state === 'drift') this.#restart();
    this.#seen += 1;
    this.#n += 1;
    this.#errors += x;
    const p = this.#errors / this.#n;
    const s = Math.sqrt((p * (1 - p)) / this.#n);
    let state: DetectorState = 'stable';
    if (this.#n > this.params.warmStart) {
      if (p + s <= this.#psMin) {
        this.#pMin = p;
        this.#sMin = s;
        this.#psMin = p + s;
      }
      if (p + s > this.#pMin + this.params.driftThreshold * this.#sMin) state = 'drift';
      else if (p + s > this.#pMin + this.params.warningThreshold * this.#sMin) state = 'warning';
    }
    if (state === 'drift') this.#changes += 1;
    this.#state = state;
    return state;
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
      errors: this.#errors,
      pMin: savedMinimum(this.#pMin),
      sMin: savedMinimum(this.#sMin),
      psMin: savedMinimum(this.#psMin),
      seen: this.#seen,
      changes: this.#changes,
      state: this.#state,
    });
  }

  /** Restores the state `toJSON` saved; `loadDetector` checks the envelope and parameters first. */
  static fromState(params: Config, state: StateRecord): Ddm {
    const detector = new Ddm(params);
    detector.#n = countAt(KIND, state, 'n');
    detector.#errors = countAt(KIND, state, 'errors');
    if (detector.#errors > detector.#n) throw invalidDetectorJson(KIND, `'errors' (${detector.#errors}) exceeds 'n' (${detector.#n})`);
    detector.#pMin = minimumAt(KIND, state, 'pMin');
    detector.#sMin = minimumAt(KIND, state, 'sMin');
    detector.#psMin = minimumAt(KIND, state, 'psMin');
    detector.#seen = countAt(KIND, state, 'seen');
    detector.#changes = countAt(KIND, state, 'changes');
    detector.#state = detectorStateAt(KIND, state, ['stable', 'warning', 'drift']);
    return detector;
  }

  #restart(): void {
    this.#n = 0;
    this.#errors = 0;
    this.#pMin = Number.POSITIVE_INFINITY;
    this.#sMin = Number.POSITIVE_INFINITY;
    this.#psMin = Number.POSITIVE_INFINITY;
  }
}

/** A new DDM detector; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function ddm(params: DdmParams = {}): Ddm {
  return new Ddm(parseParams(KIND, ddmParamsSchema, params));
}
