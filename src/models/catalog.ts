import { TandemError } from '../errors.js';
import type { ModelArtifact } from './artifact.js';
import { Prior } from './baseline/prior.js';
import { Gbdt, gbdtFromArtifact, type GbdtParamsInput } from './gbdt/index.js';
import { IsolationForest, type IsolationForestParams } from './isolation-forest/index.js';
import { KMeans, type KMeansParams } from './kmeans/index.js';
import {
  ftrl,
  ftrlFromArtifact,
  halfSpaceTrees,
  halfSpaceTreesFromArtifact,
  hoeffdingTree,
  hoeffdingTreeFromArtifact,
  onlineLinearRegression,
  onlineLinearRegressionFromArtifact,
  type FtrlParams,
  type HalfSpaceTreesParams,
  type HoeffdingTreeParams,
  type OnlineLinearRegressionParams,
} from './online/index.js';
import { LinearRegression, LogisticRegression, type LinearRegressionParams, type LogisticRegressionParams } from './linear/index.js';
import type { BatchModel, Model, OnlineModel, Task } from './model.js';

/** One algorithm the project file can name: how to make it from parameters and load it back. */
export interface Algorithm {
  readonly kind: string;
  /** 'batch' models `fit` a whole training set; 'online' models `learnOne` example by example. */
  readonly learning: 'batch' | 'online';
  readonly task: Task;
  readonly description: string;
  /** Validates `params` (throws TANDEM_INVALID_PARAMETER naming the parameter) and makes an unfitted model. */
  create(params: Readonly<Record<string, unknown>>): BatchModel | OnlineModel;
  load(artifact: ModelArtifact): Model;
}

const ALGORITHMS: readonly Algorithm[] = [
  {
    kind: 'prior',
    learning: 'batch',
    task: 'binary',
    description: 'the training label mean, ignoring features (the no-skill baseline)',
    create: (params) => new Prior(params),
    load: (saved) => Prior.fromArtifact(saved),
  },
  {
    kind: 'gbdt',
    learning: 'batch',
    task: 'binary',
    description: "histogram gradient-boosted trees, native missing values; objective 'logloss' (binary) or 'squared-error' (regression)",
    create: (params) => new Gbdt(params as GbdtParamsInput),
    load: (saved) => gbdtFromArtifact(saved),
  },
  {
    kind: 'logistic-regression',
    learning: 'batch',
    task: 'binary',
    description: 'L2-regularized logistic regression fitted by L-BFGS; missing values take the training mean',
    create: (params) => new LogisticRegression(params as LogisticRegressionParams),
    load: (saved) => LogisticRegression.fromArtifact(saved),
  },
  {
    kind: 'linear-regression',
    learning: 'batch',
    task: 'regression',
    description: 'least squares with optional ridge penalty, solved exactly; missing values take the training mean',
    create: (params) => new LinearRegression(params as LinearRegressionParams),
    load: (saved) => LinearRegression.fromArtifact(saved),
  },
  {
    kind: 'kmeans',
    learning: 'batch',
    task: 'clustering',
    description: 'k-means with k-means++ seeding and seeded restarts; predicts the nearest centroid',
    create: (params) => new KMeans(params as KMeansParams),
    load: (saved) => KMeans.fromArtifact(saved),
  },
  {
    kind: 'isolation-forest',
    learning: 'batch',
    task: 'anomaly',
    description: 'isolation forest (Liu, Ting, Zhou 2008); scores in (0, 1], higher is more anomalous',
    create: (params) => new IsolationForest(params as IsolationForestParams),
    load: (saved) => IsolationForest.fromArtifact(saved),
  },
  {
    kind: 'ftrl',
    learning: 'online',
    task: 'binary',
    description: 'FTRL-Proximal logistic regression (McMahan et al. 2013) with feature hashing; learns one example at a time',
    create: (params) => ftrl(params as FtrlParams),
    load: (saved) => ftrlFromArtifact(saved),
  },
  {
    kind: 'online-linear-regression',
    learning: 'online',
    task: 'regression',
    description: 'linear regression with AdaGrad per-coordinate learning rates and feature hashing',
    create: (params) => onlineLinearRegression(params as OnlineLinearRegressionParams),
    load: (saved) => onlineLinearRegressionFromArtifact(saved),
  },
  {
    kind: 'hoeffding-tree',
    learning: 'online',
    task: 'binary',
    description: 'Hoeffding tree classifier (VFDT, Domingos & Hulten 2000) with Gaussian split estimators',
    create: (params) => hoeffdingTree(params as HoeffdingTreeParams),
    load: (saved) => hoeffdingTreeFromArtifact(saved),
  },
  {
    kind: 'half-space-trees',
    learning: 'online',
    task: 'anomaly',
    description: 'Half-Space Trees streaming anomaly detection (Tan, Ting, Liu 2011); higher is more anomalous',
    create: (params) => halfSpaceTrees(params as HalfSpaceTreesParams),
    load: (saved) => halfSpaceTreesFromArtifact(saved),
  },
];

const algorithms = new Map(ALGORITHMS.map((a) => [a.kind, a]));

export function algorithmKinds(): readonly string[] {
  return [...algorithms.keys()].sort();
}

export function findAlgorithm(kind: string): Algorithm {
  const algorithm = algorithms.get(kind);
  if (algorithm === undefined) {
    throw new TandemError(
      'TANDEM_INVALID_PARAMETER',
      `unknown algorithm '${kind}' (known: ${algorithmKinds().join(', ')})`,
    );
  }
  return algorithm;
}

/** Loads any registered kind of model from its artifact. */
export function loadModel(artifact: ModelArtifact): Model {
  const algorithm = algorithms.get(artifact.kind);
  if (algorithm === undefined) {
    throw new TandemError(
      'TANDEM_INVALID_ARTIFACT',
      `model artifact has unknown kind '${artifact.kind}' (known: ${algorithmKinds().join(', ')})`,
    );
  }
  return algorithm.load(artifact);
}
