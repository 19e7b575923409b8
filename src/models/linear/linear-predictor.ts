import { TandemError } from '../../errors.js';
import { decodeFloat64, encodeFloat64, type JsonValue, type ModelArtifact } from '../artifact.js';
import type { Dataset } from '../dataset.js';
import type { Row } from '../model.js';
import { columnsByName } from '../shared/features.js';

/**
 * A fitted linear score b + Σ wⱼ·x̃ⱼ in original units, x̃ⱼ the value or, when missing (absent,
 * null, NaN, non-numeric, or ±Infinity, which training refuses), the training mean. `scoreRow` and `scoreColumns` add the terms in the same order with the same
 * operations, so one row and a batch give bit-identical results.
 */
export class LinearPredictor {
  readonly featureNames: readonly string[];
  readonly coefficients: Float64Array;
  readonly intercept: number;
  readonly means: Float64Array;

  constructor(featureNames: readonly string[], coefficients: Float64Array, intercept: number, means: Float64Array) {
    this.featureNames = featureNames;
    this.coefficients = coefficients;
    this.intercept = intercept;
    this.means = means;
  }

  scoreRow(x: Row): number {
    let score = this.intercept;
    for (let j = 0; j < this.featureNames.length; j++) {
      const name = this.featureNames[j] as string;
      const raw = Object.hasOwn(x, name) ? x[name] : undefined;
      const v = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? (raw ? 1 : 0) : Number.NaN;
      score += (this.coefficients[j] as number) * (Number.isFinite(v) ? v : (this.means[j] as number));
    }
    return score;
  }

  scoreColumns(data: Dataset): Float64Array {
    const n = data.rows;
    const scores = new Float64Array(n).fill(this.intercept);
    columnsByName(data, this.featureNames).forEach((column, j) => {
      const w = this.coefficients[j] as number;
      const mean = this.means[j] as number;
      if (column === undefined) {
        for (let i = 0; i < n; i++) scores[i] = (scores[i] as number) + w * mean;
        return;
      }
      for (let i = 0; i < n; i++) {
        const v = column[i] as number;
        scores[i] = (scores[i] as number) + w * (Number.isFinite(v) ? v : mean);
      }
    });
    return scores;
  }

  state(): JsonValue {
    return { coefficients: encodeFloat64(this.coefficients), intercept: this.intercept, means: encodeFloat64(this.means) };
  }

  static fromArtifact(model: ModelArtifact): LinearPredictor {
    const state = model.state;
    if (typeof state !== 'object' || state === null || Array.isArray(state)) {
      throw new TandemError('TANDEM_INVALID_ARTIFACT', `${model.kind} artifact has no state object`);
    }
    const record = state as { readonly [key: string]: JsonValue };
    const coefficients = decodeFloat64(record['coefficients'], 'coefficients');
    const means = decodeFloat64(record['means'], 'means');
    const intercept = record['intercept'];
    const p = model.featureNames.length;
    if (coefficients.length !== p || means.length !== p) {
      throw new TandemError(
        'TANDEM_INVALID_ARTIFACT',
        `${model.kind} artifact has ${coefficients.length} coefficients and ${means.length} means for ${p} features`,
      );
    }
    if (typeof intercept !== 'number') throw new TandemError('TANDEM_INVALID_ARTIFACT', `${model.kind} artifact has no intercept`);
    return new LinearPredictor([...model.featureNames], coefficients, intercept, means);
  }
}

export function checkKind(model: ModelArtifact, kind: string): void {
  if (model.kind !== kind) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `expected a '${kind}' artifact, got '${model.kind}'`);
  }
}
