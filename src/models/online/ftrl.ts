import { z } from 'zod';
import { TandemError } from '../../errors.js';
import { artifact, type ModelArtifact } from '../artifact.js';
import type { OnlineModel, Row } from '../model.js';
import { parseParams } from '../shared/params.js';
import { checkBinaryLabel, checkSameLength, finiteAt, invalidArtifact, openArtifact } from './artifact-state.js';
import { categoricalIndex, FeatureHasher, numericIndex } from './feature-hasher.js';
import { decodeSparse, encodeSparse } from './sparse-weights.js';

const KIND = 'ftrl';

export const ftrlParamsSchema = z.strictObject({
  /** Learning-rate scale α of the per-coordinate rate α / (β + √n). @default 0.05 */
  alpha: z.number().positive().default(0.05),
  /** Smoothing β of the per-coordinate rate. @default 1 */
  beta: z.number().min(0).default(1),
  /** L1 strength λ1: weights with |z| ≤ λ1 are exactly 0. @default 0 */
  l1: z.number().min(0).default(0),
  /** L2 strength λ2. @default 1 */
  l2: z.number().min(0).default(1),
  /** log2 of the number of hashed buckets. @default 18 */
  bits: z.number().int().min(1).max(24).default(18),
  /** Numeric feature order of `learnDense` / `predictProbaDense`. @default [] */
  denseFeatures: z.array(z.string()).default([]),
});

export type FtrlParams = z.input<typeof ftrlParamsSchema>;
type FtrlConfig = z.output<typeof ftrlParamsSchema>;

/** Largest |margin| used: keeps P(y = 1) strictly inside (0, 1) so log loss stays finite. */
const MAX_MARGIN = 35;

/**
 * FTRL-Proximal logistic regression: McMahan et al. 2013, "Ad Click Prediction: a View from the
 * Trenches", Algorithm 1. Per hashed coordinate it keeps z and n; weights are computed lazily
 * from them when a row needs them. Rows are hashed (see FeatureHasher); `learnDense` skips the
 * hashing for a fixed numeric feature order named in `denseFeatures`, and is equivalent to
 * `learnOne` on a row with those keys in that order.
 */
export class Ftrl implements OnlineModel {
  readonly kind = KIND;
  readonly task = 'binary' as const;
  readonly params: Readonly<FtrlConfig>;
  readonly #z: Float64Array;
  readonly #n: Float64Array;
  readonly #hasher: FeatureHasher;
  readonly #denseIndices: Int32Array;
  readonly #denseScratchIndices: Int32Array;
  readonly #denseScratchValues: Float64Array;
  #weights = new Float64Array(32);
  #roots = new Float64Array(32);
  #seenN = new Float64Array(32);
  #updates: number;

  /** Use `ftrl(params)` or `ftrlFromArtifact(artifact)`; this trusts its input. */
  constructor(params: FtrlConfig, state?: { z: Float64Array; n: Float64Array; updates: number }) {
    this.params = params;
    const size = 2 ** params.bits;
    this.#z = state?.z ?? new Float64Array(size);
    this.#n = state?.n ?? new Float64Array(size);
    this.#updates = state?.updates ?? 0;
    this.#hasher = new FeatureHasher(params.bits);
    this.#denseIndices = Int32Array.from(params.denseFeatures, (name) => numericIndex(name, this.#hasher.mask));
    this.#denseScratchIndices = new Int32Array(params.denseFeatures.length + 1);
    this.#denseScratchValues = new Float64Array(params.denseFeatures.length + 1);
  }

  /** Rows learnt so far. */
  get updates(): number {
    return this.#updates;
  }

  learnOne(x: Row, y: number): void {
    checkBinaryLabel(KIND, y);
    const count = this.#hasher.encode(x);
    this.#learn(this.#hasher.indices, this.#hasher.values, count, y);
  }

  learnMany(xs: readonly Row[], ys: ArrayLike<number>): void {
    checkSameLength(KIND, xs, ys);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i] as Row, ys[i] as number);
  }

  predictProbaOne(x: Row): number {
    const count = this.#hasher.encode(x);
    return this.#predict(this.#hasher.indices, this.#hasher.values, count);
  }

  predictOne(x: Row): number {
    return this.predictProbaOne(x) >= 0.5 ? 1 : 0;
  }

  /** `learnOne` for a row given as values in `denseFeatures` order (NaN = missing). */
  learnDense(x: Float64Array, y: number): void {
    checkBinaryLabel(KIND, y);
    const count = this.#encodeDense(x);
    this.#learn(this.#denseScratchIndices, this.#denseScratchValues, count, y);
  }

  predictProbaDense(x: Float64Array): number {
    const count = this.#encodeDense(x);
    return this.#predict(this.#denseScratchIndices, this.#denseScratchValues, count);
  }

  /** The current weight of a numeric feature, or of a categorical `name=value`; `weightOf()` is the bias. */
  weightOf(name?: string, value?: string | boolean): number {
    const mask = this.#hasher.mask;
    const index = name === undefined ? this.#hasher.bias : value === undefined ? numericIndex(name, mask) : categoricalIndex(name, value, mask);
    return this.#weight(index);
  }

  toArtifact(): ModelArtifact {
    return artifact(KIND, { ...this.params, denseFeatures: [...this.params.denseFeatures] }, this.params.denseFeatures, {
      updates: this.#updates,
      ...encodeSparse(this.#z, this.#n, ['z', 'n']),
    });
  }

  #encodeDense(x: Float64Array): number {
    const indices = this.#denseScratchIndices;
    const values = this.#denseScratchValues;
    const dense = this.#denseIndices;
    indices[0] = this.#hasher.bias;
    values[0] = 1;
    let count = 1;
    if (x.length !== dense.length) {
      throw new TandemError('TANDEM_INVALID_DATASET', `${KIND}: a dense row has ${x.length} values but denseFeatures names ${dense.length}`);
    }
    for (let j = 0; j < dense.length; j++) {
      const v = x[j] as number;
      if (v - v !== 0 || v === 0) continue;
      indices[count] = dense[j] as number;
      values[count] = v;
      count++;
    }
    return count;
  }

  // Algorithm 1, the lazy weight: w = 0 if |z| ≤ λ1, else −(z − sgn(z)λ1) / ((β + √n)/α + λ2).
  #weight(i: number): number {
    const { alpha, beta, l1, l2 } = this.params;
    const zi = this.#z[i] as number;
    if (Math.abs(zi) <= l1) return 0;
    return -(zi - Math.sign(zi) * l1) / ((beta + Math.sqrt(this.#n[i] as number)) / alpha + l2);
  }

  #predict(indices: Int32Array, values: Float64Array, count: number): number {
    let margin = 0;
    for (let k = 0; k < count; k++) margin += this.#weight(indices[k] as number) * (values[k] as number);
    return sigmoid(margin);
  }

  #learn(indices: Int32Array, values: Float64Array, count: number, y: number): void {
    const { alpha, beta, l1, l2 } = this.params;
    const z = this.#z;
    const n = this.#n;
    if (this.#weights.length < count) {
      this.#weights = new Float64Array(Math.max(count, this.#weights.length * 2));
      this.#roots = new Float64Array(this.#weights.length);
      this.#seenN = new Float64Array(this.#weights.length);
    }
    const w = this.#weights;
    const roots = this.#roots;
    const seenN = this.#seenN;
    let margin = 0;
    for (let k = 0; k < count; k++) {
      const i = indices[k] as number;
      const zi = z[i] as number;
      const ni = n[i] as number;
      const root = Math.sqrt(ni);
      roots[k] = root;
      seenN[k] = ni;
      const wi = zi <= l1 && zi >= -l1 ? 0 : -(zi - (zi < 0 ? -l1 : l1)) / ((beta + root) / alpha + l2);
      w[k] = wi;
      margin += wi * (values[k] as number);
    }
    const p = sigmoid(margin);
    const error = p - y;
    // Algorithm 1's update: g = (p − y)x; σ = (√(n + g²) − √n)/α; z += g − σw; n += g².
    for (let k = 0; k < count; k++) {
      const i = indices[k] as number;
      const g = error * (values[k] as number);
      const ni = n[i] as number;
      // √n from the weight pass, unless a hash collision updated this bucket earlier in the row.
      const root = ni === seenN[k] ? (roots[k] as number) : Math.sqrt(ni);
      const sigma = (Math.sqrt(ni + g * g) - root) / alpha;
      z[i] = (z[i] as number) + (g - sigma * (w[k] as number));
      n[i] = ni + g * g;
    }
    this.#updates++;
  }
}

function sigmoid(margin: number): number {
  const m = margin > MAX_MARGIN ? MAX_MARGIN : margin < -MAX_MARGIN ? -MAX_MARGIN : margin;
  return 1 / (1 + Math.exp(-m));
}

/** A new FTRL-Proximal model; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function ftrl(params: FtrlParams = {}): Ftrl {
  return new Ftrl(parseParams(KIND, ftrlParamsSchema, params));
}

export function ftrlFromArtifact(model: ModelArtifact): Ftrl {
  const { params, state } = openArtifact(KIND, ftrlParamsSchema, model);
  const updates = finiteAt(KIND, state, 'updates');
  const [zs, ns] = decodeSparse(KIND, state, 2 ** params.bits, ['z', 'n']);
  for (const value of ns) if (!(value >= 0)) throw invalidArtifact(KIND, `holds a negative or NaN n (${value})`);
  return new Ftrl(params, { z: zs, n: ns, updates });
}
