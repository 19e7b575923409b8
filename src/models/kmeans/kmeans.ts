import { TandemError } from '../../errors.js';
import { artifact, decodeFloat64, encodeFloat64, type JsonValue, type ModelArtifact } from '../artifact.js';
import type { Dataset } from '../dataset.js';
import type { BatchModel, FitOptions, FitReport, Row } from '../model.js';
import { checkFinite, columnMeans, imputedRowMajor, requireRows, rowValues } from '../shared/features.js';
import { fromArtifactParams, notFitted, parseParams } from '../shared/params.js';
import { SeededRandom } from '../shared/random.js';
import { lloyd, seedPlusPlus, squaredDistance, type Clustering, type Points } from './lloyd.js';
import { kMeansParamsSchema, type KMeansParams, type ResolvedKMeansParams } from './params.js';

const NAME = 'kMeans';

export interface KMeansFitReport extends FitReport {
  /** Weighted sum of squared distances from each row to its centroid (scikit-learn's `inertia_`). */
  readonly inertia: number;
}

interface Fitted {
  readonly featureNames: readonly string[];
  /** Row-major k × p, in original units. */
  readonly centroids: Float64Array;
  readonly means: Float64Array;
  readonly inertia: number;
}

/**
 * k-means clustering: k-means++ seeding, Lloyd iterations, `nInit` seeded restarts. Works in the
 * features' own units (standardize first if their scales differ). Missing values are imputed with
 * the training mean, stored in the artifact. `predictOne` gives the nearest centroid's index.
 */
export class KMeans implements BatchModel {
  readonly kind = 'kmeans';
  readonly task = 'clustering';
  readonly params: ResolvedKMeansParams;
  #fitted: Fitted | undefined;

  constructor(params: KMeansParams) {
    this.params = parseParams(NAME, kMeansParamsSchema, params);
  }

  /** Centroids in original units, one array of feature values per cluster. */
  get centroids(): Float64Array[] {
    const { centroids, featureNames } = this.#state();
    const p = featureNames.length;
    return Array.from({ length: this.params.k }, (_, c) => centroids.slice(c * p, c * p + p));
  }

  get inertia(): number {
    return this.#state().inertia;
  }

  fit(data: Dataset, options: FitOptions = {}): KMeansFitReport {
    const { k, nInit, maxIterations, tolerance, seed } = this.params;
    requireRows(NAME, data, k);
    checkFinite(NAME, data);
    const means = columnMeans(data);
    const points = toPoints(data, means);
    const shiftTolerance = tolerance * meanVariance(points);
    const random = new SeededRandom(seed);
    let best: Clustering | undefined;
    for (let run = 0; run < nInit; run++) {
      const runRandom = new SeededRandom(random.seed());
      const result = lloyd(points, seedPlusPlus(points, k, runRandom), k, maxIterations, shiftTolerance);
      if (best === undefined || result.inertia < best.inertia) best = result;
      options.onProgress?.(run + 1, nInit);
    }
    const chosen = best as Clustering;
    this.#fitted = { featureNames: [...data.featureNames], centroids: chosen.centroids, means, inertia: chosen.inertia };
    return { iterations: chosen.iterations, inertia: chosen.inertia };
  }

  /** Index of the nearest centroid (ties to the lower index). */
  predictOne(x: Row): number {
    const { featureNames, centroids, means } = this.#state();
    const values = rowValues(x, featureNames, new Float64Array(featureNames.length));
    for (let j = 0; j < values.length; j++) if (!Number.isFinite(values[j])) values[j] = means[j] as number;
    return nearest(values, 0, centroids, this.params.k, featureNames.length);
  }

  predict(data: Dataset): Float64Array {
    const { featureNames, centroids, means } = this.#state();
    const p = featureNames.length;
    const points = toPoints(data, means, featureNames);
    const out = new Float64Array(data.rows);
    for (let i = 0; i < data.rows; i++) out[i] = nearest(points.x, i * p, centroids, this.params.k, p);
    return out;
  }

  toArtifact(): ModelArtifact {
    const { featureNames, centroids, means, inertia } = this.#state();
    return artifact(this.kind, this.params as { readonly [key: string]: JsonValue }, featureNames, {
      centroids: encodeFloat64(centroids),
      means: encodeFloat64(means),
      inertia,
    });
  }

  static fromArtifact(model: ModelArtifact): KMeans {
    if (model.kind !== 'kmeans') throw new TandemError('TANDEM_INVALID_ARTIFACT', `expected a 'kmeans' artifact, got '${model.kind}'`);
    const loaded = fromArtifactParams('kmeans', () => new KMeans(model.params as KMeansParams));
    const state = (model.state ?? {}) as { readonly [key: string]: JsonValue };
    const centroids = decodeFloat64(state['centroids'], 'centroids');
    const means = decodeFloat64(state['means'], 'means');
    const inertia = state['inertia'];
    const p = model.featureNames.length;
    if (centroids.length !== loaded.params.k * p || means.length !== p || typeof inertia !== 'number') {
      throw new TandemError('TANDEM_INVALID_ARTIFACT', `kmeans artifact state does not fit k = ${loaded.params.k} and ${p} features`);
    }
    loaded.#fitted = { featureNames: [...model.featureNames], centroids, means, inertia };
    return loaded;
  }

  #state(): Fitted {
    if (this.#fitted === undefined) throw notFitted(NAME);
    return this.#fitted;
  }
}

export function kMeans(params: KMeansParams): KMeans {
  return new KMeans(params);
}

export function kMeansFromArtifact(model: ModelArtifact): KMeans {
  return KMeans.fromArtifact(model);
}

/** Rows as row-major points, missing values imputed; columns matched by name when `names` is given. */
function toPoints(data: Dataset, means: Float64Array, names: readonly string[] = data.featureNames): Points {
  return { x: imputedRowMajor(data, names, means), weight: data.weight ?? new Float64Array(data.rows).fill(1), rows: data.rows, p: names.length };
}

function meanVariance({ x, rows, p }: Points): number {
  let total = 0;
  for (let j = 0; j < p; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += x[i * p + j] as number;
    mean /= rows;
    let squares = 0;
    for (let i = 0; i < rows; i++) squares += ((x[i * p + j] as number) - mean) ** 2;
    total += squares / rows;
  }
  return p === 0 ? 0 : total / p;
}

function nearest(x: Float64Array, offset: number, centroids: Float64Array, k: number, p: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const d = squaredDistance(x, offset, centroids, c * p, p);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}
