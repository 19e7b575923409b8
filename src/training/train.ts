import { createRequire } from 'node:module';
import { TandemError } from '../errors.js';
import type { Project } from '../features/project.js';
import type { Table } from '../io/table.js';
import { canonicalJson, encodeFloat64, sha256, type JsonValue } from '../models/artifact.js';
import type { Dataset } from '../models/dataset.js';
import type { BatchModel, FitReport, OnlineModel } from '../models/model.js';
import type { Lineage, ModelRegistry, ModelVersion } from '../registry/registry.js';
import { serializeBundle, type ModelBundle } from './bundle.js';
import { definitionsHash } from './definitions-hash.js';
import { encodingsToJson } from './encoding.js';
import { referenceProfile } from './reference-profile.js';
import { evaluate, prequentialMetrics, type Evaluation } from './evaluate.js';
import { buildTrainingSet, datasetAt, datasetOf, evenIndices, rowAt, type TrainingSet } from './training-set.js';

/** This package's version, recorded in every lineage. */
export const { version: packageVersion } = createRequire(import.meta.url)('../../package.json') as { version: string };

export type TrainPhase = 'features' | 'fit' | 'evaluate';

export interface TrainOptions {
  /** Events by source name: the model's spine source and every source its views read. */
  readonly events: Readonly<Record<string, Table>>;
  /** Where the events came from, for the lineage (the CLI passes files and their hashes). */
  readonly inputs?: Lineage['inputs'];
  readonly configPath?: string;
  readonly onProgress?: (phase: TrainPhase, done: number, total: number) => void;
}

export interface TrainResult {
  readonly model: string;
  readonly kind: string;
  /** The serialized version (canonical JSON): byte-identical for the same definitions and data. */
  readonly artifact: string;
  readonly artifactSha256: string;
  readonly metrics: Evaluation;
  readonly fit: FitReport;
  readonly lineage: Lineage;
  readonly set: TrainingSet;
  /** Scores of the test rows [set.testStart, n), in time order. */
  readonly testScores: Float64Array;
  /**
   * Scores of training rows, for the reference profile: at most 20 000 rows spread evenly over
   * the training period (batch models), or every training row's test-then-train score (online).
   */
  readonly trainScores: Float64Array;
}

/** Training rows scored for the prediction profile (batch models). */
const PROFILED_SCORES = 20_000;

/**
 * Trains one model of the project: point-in-time features by backfill, a time split, fit (or
 * learn online in time order), evaluation on the held-out latest rows, and a canonical
 * artifact with its lineage. Deterministic: the same definitions and events give the same bytes.
 */
export async function trainModel(project: Project, name: string, options: TrainOptions): Promise<TrainResult> {
  const definition = project.models.get(name);
  if (definition === undefined) {
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${name}' (the project defines: ${[...project.models.keys()].join(', ') || 'none'})`);
  }
  const progress = options.onProgress;
  const set = await buildTrainingSet(project, definition, {
    events: options.events,
    ...(progress ? { onProgress: (done: number, total: number) => progress('features', done, total) } : {}),
  });
  const algorithm = definition.algorithm;
  const model = algorithm.create(definition.params);
  const train = datasetOf(set, 0, set.validationStart);
  const test = datasetOf(set, set.testStart, set.time.length);
  let fit: FitReport;
  let prequential: Float64Array | undefined;
  if (algorithm.learning === 'batch') {
    const validation = set.validationStart < set.testStart ? datasetOf(set, set.validationStart, set.testStart) : undefined;
    fit = (model as BatchModel).fit(train, {
      ...(validation ? { validation } : {}),
      ...(progress ? { onProgress: (done: number, total: number) => progress('fit', done, total) } : {}),
    });
  } else {
    // Online models learn the whole training period in time order, as they would have live.
    // Each row is scored before it is learnt (test-then-train), which gives the prequential
    // metrics of the training period for free.
    const learner = model as OnlineModel;
    const total = set.testStart;
    prequential = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      const row = rowAt(set, i);
      prequential[i] = learner.predictProbaOne ? learner.predictProbaOne(row) : learner.predictOne(row);
      learner.learnOne(row, set.label[i] as number);
      if (progress && (i & 0xffff) === 0) progress('fit', i, total);
    }
    fit = { iterations: total };
  }
  progress?.('fit', 1, 1);
  const artifact = model.toArtifact();
  const bundle: ModelBundle = {
    format: 'tandem-model-version',
    formatVersion: 1,
    name,
    task: model.task,
    learning: algorithm.learning,
    features: set.features.map((f) => ({ ref: f.ref, name: f.name })),
    label: definition.label,
    encodings: algorithm.learning === 'batch' ? set.encodings : null,
    model: artifact,
  };
  const text = serializeBundle(bundle);
  progress?.('evaluate', 0, 1);
  const scores = scoreTest(set, model, test, algorithm.learning);
  const metrics = {
    ...evaluate(model.task, scores, test.label as Float64Array, train.label as Float64Array),
    ...(prequential === undefined ? {} : prequentialMetrics(model.task, prequential, set.label.subarray(0, set.testStart))),
  };
  const trainScores =
    prequential ?? (() => {
      const sample = datasetAt(set, evenIndices(0, set.validationStart, PROFILED_SCORES));
      const batch = model as BatchModel;
      return batch.predictProba ? batch.predictProba(sample) : batch.predict(sample);
    })();
  progress?.('evaluate', 1, 1);
  const lineage: Lineage = {
    definitionsHash: definitionsHash(definition, set.features, set.source),
    dataHash: dataHash(set, datasetOf(set, 0, set.time.length)),
    inputs: options.inputs ?? [],
    algorithm: algorithm.kind,
    params: definition.params as { readonly [key: string]: JsonValue },
    seed: typeof artifact.params['seed'] === 'number' ? artifact.params['seed'] : null,
    packageVersion,
    nodeVersion: process.version,
    rows: { train: set.validationStart, validation: set.testStart - set.validationStart, test: set.time.length - set.testStart },
    configPath: options.configPath ?? null,
  };
  return { model: name, kind: algorithm.kind, artifact: text, artifactSha256: sha256(text), metrics, fit, lineage, set, testScores: scores, trainScores };
}

/** Test-set scores: P(y = 1) for classifiers, the prediction otherwise. */
function scoreTest(set: TrainingSet, model: BatchModel | OnlineModel, test: Dataset, learning: 'batch' | 'online'): Float64Array {
  if (learning === 'batch') {
    const batch = model as BatchModel;
    return batch.predictProba ? batch.predictProba(test) : batch.predict(test);
  }
  const out = new Float64Array(test.rows);
  for (let i = 0; i < test.rows; i++) {
    const row = rowAt(set, set.testStart + i);
    out[i] = model.predictProbaOne ? model.predictProbaOne(row) : model.predictOne(row);
  }
  return out;
}

/** SHA-256 of the training set exactly as models see it: times, labels, encodings, encoded columns. */
function dataHash(set: TrainingSet, all: Dataset): string {
  const parts: JsonValue = {
    features: all.featureNames,
    encodings: encodingsToJson(set.encodings),
    time: encodeFloat64(set.time),
    label: encodeFloat64(set.label),
    columns: all.columns.map((column) => encodeFloat64(column)),
  };
  return sha256(canonicalJson(parts));
}

/** Registers a trained model as its next version, with its reference profile, under `aliases`. */
export function registerTrained(registry: ModelRegistry, result: TrainResult, aliases: readonly string[] = []): Promise<ModelVersion> {
  return registry.register({
    model: result.model,
    kind: result.kind,
    artifact: result.artifact,
    metrics: result.metrics,
    lineage: result.lineage,
    profile: referenceProfile(result.set, result.trainScores),
    aliases,
  });
}
