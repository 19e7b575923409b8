import { z } from 'zod';
import { TandemError } from '../../errors.js';
import { artifact, type ModelArtifact } from '../artifact.js';
import type { OnlineModel, Row } from '../model.js';
import { parseParams } from '../shared/params.js';
import { checkSameLength, finiteAt, openArtifact } from './artifact-state.js';
import { FeatureHasher } from './feature-hasher.js';
import { decodeSparse, encodeSparse } from './sparse-weights.js';

const KIND = 'online-linear-regression';

export const onlineLinearRegressionParamsSchema = z.strictObject({
  /** Step size η of AdaGrad's per-coordinate rate η / √(Σ g²). @default 0.1 */
  learningRate: z.number().positive().default(0.1),
  /** L2 strength, applied to the weights a row touches (the bias is not shrunk). @default 0 */
  l2: z.number().min(0).default(0),
  /** log2 of the number of hashed buckets. @default 18 */
  bits: z.number().int().min(1).max(24).default(18),
});

export type OnlineLinearRegressionParams = z.input<typeof onlineLinearRegressionParamsSchema>;
type Config = z.output<typeof onlineLinearRegressionParamsSchema>;

/**
 * Linear regression on squared loss by online gradient descent with AdaGrad's diagonal,
 * per-coordinate learning rates (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for
 * Online Learning and Stochastic Optimization"): w_i −= η g_i / √(G_i), G_i = Σ g_i². The
 * per-coordinate rates make the steps insensitive to each feature's scale. Rows are hashed as
 * FTRL's are.
 */
export class OnlineLinearRegression implements OnlineModel {
  readonly kind = KIND;
  readonly task = 'regression' as const;
  readonly params: Readonly<Config>;
  readonly #w: Float64Array;
  readonly #g2: Float64Array;
  readonly #hasher: FeatureHasher;
  #updates: number;

  /** Use `onlineLinearRegression(params)` or `onlineLinearRegressionFromArtifact(artifact)`. */
  constructor(params: Config, state?: { w: Float64Array; g2: Float64Array; updates: number }) {
    this.params = params;
    this.#w = state?.w ?? new Float64Array(2 ** params.bits);
    this.#g2 = state?.g2 ?? new Float64Array(2 ** params.bits);
    this.#updates = state?.updates ?? 0;
    this.#hasher = new FeatureHasher(params.bits);
  }

  get updates(): number {
    return this.#updates;
  }

  predictOne(x: Row): number {
    const count = this.#hasher.encode(x);
    return this.#predict(count);
  }

  learnOne(x: Row, y: number): void {
    if (!Number.isFinite(y)) throw new TandemError('TANDEM_INVALID_DATASET', `${KIND}: target must be a finite number, got ${String(y)}`);
    const count = this.#hasher.encode(x);
    const { indices, values } = this.#hasher;
    const { learningRate, l2 } = this.params;
    const w = this.#w;
    const g2 = this.#g2;
    const error = this.#predict(count) - y;
    for (let k = 0; k < count; k++) {
      const i = indices[k] as number;
      const wi = w[i] as number;
      const g = error * (values[k] as number) + (k === 0 ? 0 : l2 * wi);
      if (g === 0) continue;
      const sum = (g2[i] as number) + g * g;
      g2[i] = sum;
      w[i] = wi - (learningRate * g) / Math.sqrt(sum);
    }
    this.#updates++;
  }

  learnMany(xs: readonly Row[], ys: ArrayLike<number>): void {
    checkSameLength(KIND, xs, ys);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i] as Row, ys[i] as number);
  }

  toArtifact(): ModelArtifact {
    return artifact(KIND, { ...this.params }, [], { updates: this.#updates, ...encodeSparse(this.#w, this.#g2, ['w', 'g2']) });
  }

  #predict(count: number): number {
    const { indices, values } = this.#hasher;
    let sum = 0;
    for (let k = 0; k < count; k++) sum += (this.#w[indices[k] as number] as number) * (values[k] as number);
    return sum;
  }
}

/** A new AdaGrad linear regression; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function onlineLinearRegression(params: OnlineLinearRegressionParams = {}): OnlineLinearRegression {
  return new OnlineLinearRegression(parseParams(KIND, onlineLinearRegressionParamsSchema, params));
}

export function onlineLinearRegressionFromArtifact(model: ModelArtifact): OnlineLinearRegression {
  const { params, state } = openArtifact(KIND, onlineLinearRegressionParamsSchema, model);
  const updates = finiteAt(KIND, state, 'updates');
  const [w, g2] = decodeSparse(KIND, state, 2 ** params.bits, ['w', 'g2']);
  return new OnlineLinearRegression(params, { w, g2, updates });
}
