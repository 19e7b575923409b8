import { TandemError } from '../../errors.js';
import { artifact, decodeFloat64, decodeInt32, encodeFloat64, encodeInt32, type JsonValue, type ModelArtifact } from '../artifact.js';
import type { Dataset } from '../dataset.js';
import type { BatchModel, FitOptions, FitReport, Row } from '../model.js';
import { checkFinite, columnMeans, imputedRowMajor, requireRows, rowValues } from '../shared/features.js';
import { fromArtifactParams, notFitted, parseParams } from '../shared/params.js';
import { SeededRandom } from '../shared/random.js';
import { averagePathLength, growForest, meanPathLength, type Forest, type Matrix } from './isolation-tree.js';
import { isolationForestParamsSchema, type IsolationForestParams, type ResolvedIsolationForestParams } from './params.js';

const NAME = 'isolationForest';

interface Fitted {
  readonly featureNames: readonly string[];
  readonly means: Float64Array;
  readonly forest: Forest;
  /** ψ actually used: min(sampleSize, training rows). */
  readonly sampleSize: number;
}

/**
 * Isolation Forest (Liu, Ting & Zhou, ICDM 2008). The score is s(x) = 2^(−E[h(x)] / c(ψ)) in
 * (0, 1]: near 1 for points isolated in few splits (anomalies), well below 0.5 for ordinary ones.
 * scikit-learn's `score_samples` is −s. Missing values are imputed with the training mean,
 * stored in the artifact. Unsupervised: a label, if present, is ignored.
 */
export class IsolationForest implements BatchModel {
  readonly kind = 'isolation-forest';
  readonly task = 'anomaly';
  readonly params: ResolvedIsolationForestParams;
  #fitted: Fitted | undefined;

  constructor(params: IsolationForestParams = {}) {
    this.params = parseParams(NAME, isolationForestParamsSchema, params);
  }

  fit(data: Dataset, options: FitOptions = {}): FitReport {
    requireRows(NAME, data, 2);
    checkFinite(NAME, data);
    const { nTrees, seed } = this.params;
    const sampleSize = Math.min(this.params.sampleSize, data.rows);
    const means = columnMeans(data);
    const matrix = toMatrix(data, data.featureNames, means);
    const forest = growForest(matrix, nTrees, sampleSize, new SeededRandom(seed), options.onProgress);
    this.#fitted = { featureNames: [...data.featureNames], means, forest, sampleSize };
    return { iterations: nTrees };
  }

  /** Anomaly score in (0, 1]; higher is more anomalous. */
  predictOne(x: Row): number {
    const { featureNames, means, forest, sampleSize } = this.#state();
    const values = rowValues(x, featureNames, new Float64Array(featureNames.length));
    for (let j = 0; j < values.length; j++) if (!Number.isFinite(values[j])) values[j] = means[j] as number;
    return score(forest, values, 0, sampleSize);
  }

  predict(data: Dataset): Float64Array {
    const { featureNames, means, forest, sampleSize } = this.#state();
    const { x, p } = toMatrix(data, featureNames, means);
    const out = new Float64Array(data.rows);
    for (let i = 0; i < data.rows; i++) out[i] = score(forest, x, i * p, sampleSize);
    return out;
  }

  toArtifact(): ModelArtifact {
    const { featureNames, means, forest, sampleSize } = this.#state();
    return artifact(this.kind, this.params as { readonly [key: string]: JsonValue }, featureNames, {
      means: encodeFloat64(means),
      sampleSize,
      roots: encodeInt32(forest.roots),
      feature: encodeInt32(forest.feature),
      threshold: encodeFloat64(forest.threshold),
      left: encodeInt32(forest.left),
      right: encodeInt32(forest.right),
      pathLength: encodeFloat64(forest.pathLength),
    });
  }

  static fromArtifact(model: ModelArtifact): IsolationForest {
    if (model.kind !== 'isolation-forest') {
      throw new TandemError('TANDEM_INVALID_ARTIFACT', `expected an 'isolation-forest' artifact, got '${model.kind}'`);
    }
    const loaded = fromArtifactParams('isolation-forest', () => new IsolationForest(model.params as IsolationForestParams));
    const state = (model.state ?? {}) as { readonly [key: string]: JsonValue };
    const forest: Forest = {
      roots: decodeInt32(state['roots'], 'roots'),
      feature: decodeInt32(state['feature'], 'feature'),
      threshold: decodeFloat64(state['threshold'], 'threshold'),
      left: decodeInt32(state['left'], 'left'),
      right: decodeInt32(state['right'], 'right'),
      pathLength: decodeFloat64(state['pathLength'], 'pathLength'),
    };
    const means = decodeFloat64(state['means'], 'means');
    const sampleSize = state['sampleSize'];
    checkForest(forest, model.featureNames.length);
    if (means.length !== model.featureNames.length || typeof sampleSize !== 'number' || sampleSize < 2) {
      throw new TandemError('TANDEM_INVALID_ARTIFACT', 'isolation-forest artifact has damaged means or sampleSize');
    }
    loaded.#fitted = { featureNames: [...model.featureNames], means, forest, sampleSize };
    return loaded;
  }

  #state(): Fitted {
    if (this.#fitted === undefined) throw notFitted(NAME);
    return this.#fitted;
  }
}

export function isolationForest(params: IsolationForestParams = {}): IsolationForest {
  return new IsolationForest(params);
}

export function isolationForestFromArtifact(model: ModelArtifact): IsolationForest {
  return IsolationForest.fromArtifact(model);
}

function score(forest: Forest, x: Float64Array, offset: number, sampleSize: number): number {
  return 2 ** (-meanPathLength(forest, x, offset) / averagePathLength(sampleSize));
}

function toMatrix(data: Dataset, names: readonly string[], means: Float64Array): Matrix {
  return { x: imputedRowMajor(data, names, means), rows: data.rows, p: names.length };
}

/** Every pointer stays in range and every walk ends at a leaf: a damaged artifact fails here, not at scoring. */
function checkForest(forest: Forest, p: number): void {
  const nodes = forest.feature.length;
  const bad = (what: string): TandemError => new TandemError('TANDEM_INVALID_ARTIFACT', `isolation-forest artifact: ${what}`);
  if ([forest.threshold, forest.left, forest.right, forest.pathLength].some((a) => a.length !== nodes)) throw bad('node arrays differ in length');
  if (forest.roots.length === 0) throw bad('no trees');
  for (const root of forest.roots) if (root < 0 || root >= nodes) throw bad(`root ${root} out of range`);
  for (let i = 0; i < nodes; i++) {
    const f = forest.feature[i] as number;
    if (f === -1) continue;
    const l = forest.left[i] as number;
    const r = forest.right[i] as number;
    // Children are created after their parent, so following them always moves forward: no cycles.
    if (f < 0 || f >= p || l <= i || r <= i || l >= nodes || r >= nodes) throw bad(`node ${i} is malformed`);
  }
}
