import { z } from 'zod';
import { TandemError } from '../../errors.js';
import { artifact, type ModelArtifact } from '../artifact.js';
import type { Dataset } from '../dataset.js';
import type { BatchModel, FitReport, Row } from '../model.js';
import { parseParams } from '../shared/params.js';

export const priorParams = z
  .object({
    /** 'binary': predicts the training positive rate; 'regression': the training mean. @default 'binary' */
    task: z.enum(['binary', 'regression']).default('binary'),
  })
  .strict();

export type PriorParams = z.input<typeof priorParams>;

/**
 * The no-skill baseline (scikit-learn's DummyClassifier(strategy='prior') / DummyRegressor):
 * ignores the features and answers the training label mean. Every report compares against it,
 * and it is the natural last step of a serving fallback chain.
 */
export class Prior implements BatchModel {
  readonly kind = 'prior';
  readonly task: 'binary' | 'regression';
  #mean: number | undefined;

  constructor(params: PriorParams = {}) {
    this.task = parseParams('prior', priorParams, params).task;
  }

  fit(data: Dataset): FitReport {
    const label = data.label;
    if (label === undefined || data.rows === 0) {
      throw new TandemError('TANDEM_INVALID_DATASET', 'prior: fit needs a non-empty dataset with a label');
    }
    let total = 0;
    let weights = 0;
    for (let i = 0; i < data.rows; i++) {
      const w = data.weight?.[i] ?? 1;
      total += w * (label[i] as number);
      weights += w;
    }
    this.#mean = total / weights;
    return { iterations: 1 };
  }

  predictOne(x: Row): number {
    const mean = this.#fitted();
    void x;
    return this.task === 'binary' ? (mean >= 0.5 ? 1 : 0) : mean;
  }

  predictProbaOne(x: Row): number {
    void x;
    return this.#fitted();
  }

  predict(data: Dataset): Float64Array {
    return new Float64Array(data.rows).fill(this.predictOne({}));
  }

  predictProba(data: Dataset): Float64Array {
    return new Float64Array(data.rows).fill(this.#fitted());
  }

  toArtifact(): ModelArtifact {
    return artifact(this.kind, { task: this.task }, [], { mean: this.#fitted() });
  }

  static fromArtifact(saved: ModelArtifact): Prior {
    const model = new Prior(saved.params as PriorParams);
    const state = saved.state as { mean?: unknown } | null;
    if (typeof state?.mean !== 'number') throw new TandemError('TANDEM_INVALID_ARTIFACT', 'prior: artifact has no mean');
    model.#mean = state.mean;
    return model;
  }

  #fitted(): number {
    if (this.#mean === undefined) throw new TandemError('TANDEM_NOT_FITTED', 'prior: predict called before fit');
    return this.#mean;
  }
}
