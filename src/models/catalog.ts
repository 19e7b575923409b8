import { TandemError } from '../errors.js';
import type { ModelArtifact } from './artifact.js';
import { Prior } from './baseline/prior.js';
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
