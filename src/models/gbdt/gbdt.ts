import { TandemError } from '../../errors.js';
import type { ModelArtifact } from '../artifact.js';
import { numberOrNaN, type Dataset } from '../dataset.js';
import type { BatchModel, FitOptions, FitReport, Row, Task } from '../model.js';
import { gbdtArtifact, readGbdtArtifact } from './artifact.js';
import { marginOf, marginsOf, scoringForestOf, totalGain, type GbdtState, type ScoringForest } from './forest.js';
import { objectiveOf, type Objective } from './objective.js';
import { parseGbdtParams, type GbdtParams, type GbdtParamsInput } from './params.js';
import { columnsByName, train } from './train.js';

export interface GbdtFitReport extends FitReport {
  /** Trees the model kept: the best validation round under early stopping, else `iterations`. */
  readonly bestIteration: number;
  /** True when early stopping ended the fit before `rounds`. */
  readonly stoppedEarly: boolean;
  readonly featureImportance: Readonly<Record<string, number>>;
  /** Threads that built histograms (1 on small data, where workers do not pay). */
  readonly threads: number;
}

/**
 * Histogram gradient-boosted trees (Chen & Guestrin 2016, XGBoost; Ke et al. 2017, LightGBM):
 * binary log loss or squared error, native missing values, depth-wise or leaf-wise growth.
 */
export class Gbdt implements BatchModel {
  readonly kind = 'gbdt';
  readonly params: GbdtParams;
  readonly #objective: Objective;
  #state: GbdtState | undefined;
  /** The fitted forest laid out for scoring. */
  #scoring: ScoringForest | undefined;
  /** One row's values in feature order, reused by every single-row prediction (they are synchronous). */
  #row = new Float64Array(0);

  constructor(params: GbdtParamsInput = {}, state?: GbdtState) {
    this.params = parseGbdtParams(params);
    this.#objective = objectiveOf(this.params.objective);
    if (state !== undefined) this.#setState(state);
  }

  #setState(state: GbdtState): void {
    this.#state = state;
    this.#scoring = scoringForestOf(state.forest);
    this.#row = new Float64Array(state.featureNames.length);
  }

  get task(): Task {
    return this.#objective.task;
  }

  /** Feature names in the order the trees refer to them (empty before `fit`). */
  get featureNames(): readonly string[] {
    return this.#state?.featureNames ?? [];
  }

  fit(data: Dataset, options: FitOptions = {}): GbdtFitReport {
    this.#checkTrainingSet(data, 'training');
    if (options.validation !== undefined) this.#checkTrainingSet(options.validation, 'validation');
    const trained = train(this.params, data, options);
    this.#setState({ featureNames: [...data.featureNames], forest: trained.forest });
    return {
      iterations: trained.roundsRun,
      bestIteration: trained.bestRounds,
      stoppedEarly: trained.roundsRun < this.params.rounds,
      featureImportance: this.featureImportance(),
      threads: trained.threads,
      ...(trained.validationLoss === undefined ? {} : { validationLoss: trained.validationLoss }),
    };
  }

  /** Total split gain per feature over all trees (xgboost's 'total_gain'). */
  featureImportance(): Record<string, number> {
    const state = this.#fitted();
    const gains = totalGain(state.forest, state.featureNames.length);
    const out: Record<string, number> = {};
    state.featureNames.forEach((name, j) => {
      out[name] = gains[j] as number;
    });
    return out;
  }

  /** The raw margin of every row: log-odds for logloss, the value for squared error. */
  predictMargin(data: Dataset): Float64Array {
    const state = this.#fitted();
    const scoring = this.#scoring!;
    // A feature the data lacks is missing in every row.
    const columns = columnsByName(data, state.featureNames).map((column) => column ?? new Float64Array(data.rows).fill(Number.NaN));
    const out = new Float64Array(data.rows);
    marginsOf(scoring, columns, out);
    return out;
  }

  /** binary: the class at threshold 0.5; regression: the value. */
  predict(data: Dataset): Float64Array {
    const margins = this.predictMargin(data);
    for (let i = 0; i < margins.length; i++) margins[i] = this.#output(margins[i] as number);
    return margins;
  }

  predictProba(data: Dataset): Float64Array {
    this.#binaryOnly('predictProba');
    const margins = this.predictMargin(data);
    for (let i = 0; i < margins.length; i++) margins[i] = this.#objective.transform(margins[i] as number);
    return margins;
  }

  /** The raw margin of one serving-time row; absent, null or NaN values are missing, extra keys ignored. */
  predictMarginOne(x: Row): number {
    const names = this.#fitted().featureNames;
    const values = this.#row;
    for (let j = 0; j < names.length; j++) {
      const name = names[j] as string;
      values[j] = Object.hasOwn(x, name) ? numberOrNaN(x[name]) : Number.NaN;
    }
    return marginOf(this.#scoring!, values);
  }

  predictOne(x: Row): number {
    return this.#output(this.predictMarginOne(x));
  }

  predictProbaOne(x: Row): number {
    this.#binaryOnly('predictProbaOne');
    return this.#objective.transform(this.predictMarginOne(x));
  }

  toArtifact(): ModelArtifact {
    return gbdtArtifact(this.params, this.#fitted());
  }

  #output(margin: number): number {
    if (this.#objective.task === 'binary') return this.#objective.transform(margin) >= 0.5 ? 1 : 0;
    return margin;
  }

  #fitted(): GbdtState {
    if (this.#state === undefined) throw new TandemError('TANDEM_NOT_FITTED', 'gbdt is not fitted; call fit() first');
    return this.#state;
  }

  #binaryOnly(method: string): void {
    if (this.#objective.task !== 'binary') {
      throw new TandemError(
        'TANDEM_INVALID_PARAMETER',
        `gbdt: ${method} needs objective 'logloss', this model has objective '${this.params.objective}'`,
      );
    }
  }

  #checkTrainingSet(data: Dataset, role: 'training' | 'validation'): void {
    if (data.featureNames.length === 0) throw new TandemError('TANDEM_INVALID_DATASET', `gbdt: the ${role} dataset has no features`);
    if (data.rows === 0) throw new TandemError('TANDEM_INVALID_DATASET', `gbdt: the ${role} dataset has no rows`);
    if (data.label === undefined) throw new TandemError('TANDEM_INVALID_DATASET', `gbdt: the ${role} dataset has no label`);
    this.#objective.checkLabels(data.label);
    const weight = data.weight;
    if (weight !== undefined) {
      for (let i = 0; i < weight.length; i++) {
        const w = weight[i] as number;
        if (!(w >= 0) || !Number.isFinite(w)) {
          throw new TandemError('TANDEM_INVALID_DATASET', `gbdt: ${role} weights must be finite and ≥ 0, row ${i} has ${w}`);
        }
      }
    }
  }
}

/** A new, unfitted model: `gbdt({ rounds: 200, maxDepth: 6 })`. */
export function gbdt(params: GbdtParamsInput = {}): Gbdt {
  return new Gbdt(params);
}

/** Loads a model from `toArtifact()`'s output; it scores exactly as the model that wrote it. */
export function gbdtFromArtifact(model: ModelArtifact): Gbdt {
  const { params, state } = readGbdtArtifact(model);
  return new Gbdt(params, state);
}
