import { TandemError } from '../errors.js';
import { canonicalJson, parseArtifact, type JsonValue, type ModelArtifact } from '../models/artifact.js';
import { loadModel } from '../models/catalog.js';
import type { Model, Row, Task } from '../models/model.js';
import { encodeRow, encodingsToJson, vocabularyLookups, type FeatureEncoding } from './encoding.js';

/**
 * What a registry version holds: the fitted model and everything serving needs to feed it the
 * same inputs training did (feature references, encodings), in one canonical JSON document.
 */
export interface ModelBundle {
  readonly format: 'tandem-model-version';
  readonly formatVersion: 1;
  readonly name: string;
  readonly task: Task;
  readonly learning: 'batch' | 'online';
  /** Inputs in model order: as written in the project file, and the column/read name. */
  readonly features: readonly { readonly ref: string; readonly name: string }[];
  readonly label: string;
  /** How raw feature values become numbers (batch models); online models see raw values. */
  readonly encodings: readonly FeatureEncoding[] | null;
  readonly model: ModelArtifact;
}

export function serializeBundle(bundle: ModelBundle): string {
  return canonicalJson({
    ...bundle,
    features: bundle.features.map((f) => ({ ref: f.ref, name: f.name })),
    encodings: bundle.encodings === null ? null : encodingsToJson(bundle.encodings),
    model: bundle.model as unknown as JsonValue,
  });
}

export function parseBundle(text: string): ModelBundle {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', 'model version is not valid JSON', { cause });
  }
  if (parsed['format'] !== 'tandem-model-version' || parsed['formatVersion'] !== 1) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `model version has format ${JSON.stringify(parsed['format'])} version ${JSON.stringify(parsed['formatVersion'])}; expected 'tandem-model-version' 1`);
  }
  const model = parseArtifact(JSON.stringify(parsed['model']));
  return { ...(parsed as unknown as ModelBundle), model };
}

/** A registry version ready to score rows of raw feature values. */
export class LoadedModel {
  readonly bundle: ModelBundle;
  readonly model: Model;
  readonly #lookups: readonly (ReadonlyMap<string, number> | undefined)[];

  constructor(bundle: ModelBundle) {
    this.bundle = bundle;
    this.model = loadModel(bundle.model);
    this.#lookups = bundle.encodings === null ? [] : vocabularyLookups(bundle.encodings);
  }

  static fromText(text: string): LoadedModel {
    return new LoadedModel(parseBundle(text));
  }

  /** The model's inputs as the model sees them (category codes for batch models). */
  inputs(row: Row): Row {
    return this.bundle.encodings === null ? row : encodeRow(this.bundle.encodings, this.#lookups, row);
  }

  /** binary: P(y = 1); regression: the value; anomaly: the score; clustering: the cluster. */
  score(row: Row): number {
    const x = this.inputs(row);
    return this.model.predictProbaOne !== undefined ? this.model.predictProbaOne(x) : this.model.predictOne(x);
  }
}
