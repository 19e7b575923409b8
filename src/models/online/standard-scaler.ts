import { z } from 'zod';
import { artifact, type JsonValue, type ModelArtifact } from '../artifact.js';
import type { Row } from '../model.js';
import { parseParams } from '../shared/params.js';
import { arrayAt, invalidArtifact, openArtifact } from './artifact-state.js';
import type { OnlineTransformer } from './transformer.js';

const KIND = 'standard-scaler';

export const standardScalerParamsSchema = z.strictObject({
  /** Divide by the standard deviation after centring. @default true */
  withStd: z.boolean().default(true),
});

export type StandardScalerParams = z.input<typeof standardScalerParamsSchema>;
type Config = z.output<typeof standardScalerParamsSchema>;

interface Moments {
  n: number;
  mean: number;
  m2: number;
}

/**
 * Streaming standardisation, (x − mean) / std with the population standard deviation, kept per
 * numeric feature by Welford's update (Welford 1962). Missing values are neither learnt nor
 * changed; strings and booleans pass through; a feature with no spread yet (or never seen) maps
 * to 0, its best guess of the mean, as River's StandardScaler does.
 */
export class StreamingStandardScaler implements OnlineTransformer {
  readonly kind = KIND;
  readonly params: Readonly<Config>;
  readonly #moments: Map<string, Moments>;

  /** Use `streamingStandardScaler(params)` or `standardScalerFromArtifact(artifact)`. */
  constructor(params: Config, moments: Map<string, Moments> = new Map()) {
    this.params = params;
    this.#moments = moments;
  }

  /** The same as `standardScalerFromArtifact`. */
  static fromArtifact(model: ModelArtifact): StreamingStandardScaler {
    return standardScalerFromArtifact(model);
  }

  learnOne(x: Row): void {
    for (const name in x) {
      const v = x[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      let m = this.#moments.get(name);
      if (m === undefined) {
        m = { n: 0, mean: 0, m2: 0 };
        this.#moments.set(name, m);
      }
      m.n += 1;
      const delta = v - m.mean;
      m.mean += delta / m.n;
      m.m2 += delta * (v - m.mean);
    }
  }

  transformOne(x: Row): Row {
    // A copy of `x` then overwritten in place keeps V8's fast properties; adding more than about a
    // dozen computed keys one by one to `{}` turns the object into a slow dictionary.
    const out: Record<string, number | string | boolean | null | undefined> = { ...x };
    for (const name in x) {
      const v = x[name];
      if (typeof v === 'number' && Number.isFinite(v)) out[name] = this.#scale(name, v);
    }
    return out;
  }

  /** Mean and population standard deviation learnt for `name`, if any. */
  statsOf(name: string): { readonly count: number; readonly mean: number; readonly std: number } | undefined {
    const m = this.#moments.get(name);
    return m === undefined ? undefined : { count: m.n, mean: m.mean, std: Math.sqrt(m.m2 / m.n) };
  }

  toArtifact(): ModelArtifact {
    const features = [...this.#moments.keys()];
    return artifact(KIND, { ...this.params }, features, {
      moments: features.map((name) => {
        const m = this.#moments.get(name) as Moments;
        return [m.n, m.mean, m.m2];
      }),
    });
  }

  #scale(name: string, v: number): number {
    const m = this.#moments.get(name);
    if (m === undefined) return 0;
    const centred = v - m.mean;
    if (!this.params.withStd) return centred;
    const std = Math.sqrt(m.m2 / m.n);
    return std > 0 ? centred / std : 0;
  }
}

/** A new scaler; bad parameters throw TANDEM_INVALID_PARAMETER naming them. */
export function streamingStandardScaler(params: StandardScalerParams = {}): StreamingStandardScaler {
  return new StreamingStandardScaler(parseParams(KIND, standardScalerParamsSchema, params));
}

export function standardScalerFromArtifact(model: ModelArtifact): StreamingStandardScaler {
  const { params, state } = openArtifact(KIND, standardScalerParamsSchema, model);
  const rows = arrayAt(KIND, state, 'moments');
  if (rows.length !== model.featureNames.length) throw invalidArtifact(KIND, `${rows.length} moments for ${model.featureNames.length} features`);
  const moments = new Map<string, Moments>();
  model.featureNames.forEach((name, i) => {
    const row = rows[i] as JsonValue;
    if (!Array.isArray(row) || row.length !== 3 || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw invalidArtifact(KIND, `moments of '${name}' are not three finite numbers`);
    }
    const [n, mean, m2] = row as number[];
    moments.set(name, { n: n as number, mean: mean as number, m2: m2 as number });
  });
  return new StreamingStandardScaler(params, moments);
}
