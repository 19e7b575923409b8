import type { FallbackKind, FallbackReason, ServingFeatures } from '../features/model-serving.js';
import type { Row } from '../models/model.js';

export type { FallbackKind, FallbackReason, ServingFeatures };

/**
 * One prediction request: the entity keys of every view the model reads, the request fields
 * of its request-time features, and optionally `id` (generated when absent) and `at` (read
 * the features as of this time, epoch ms or ISO 8601; default now).
 */
export type PredictRequest = Readonly<Record<string, unknown>>;

/** Which fallback answered and why the model did not. */
export interface FallbackUse {
  readonly kind: FallbackKind;
  /** 'previous-version', the heuristic's name, or 'default'. */
  readonly name: string;
  readonly reason: FallbackReason;
}

export interface Prediction {
  readonly id: string;
  readonly model: string;
  /** The registry version that scored; null when a heuristic or default score answered. */
  readonly version: number | null;
  readonly score: number;
  readonly decision: string;
  /** The rule that decided, null when none fired and the default decision applies. */
  readonly rule: string | null;
  /** Every rule whose condition held, in order (the first decided). */
  readonly reasons: readonly string[];
  readonly fallback?: FallbackUse;
  /** Set when the canary version answered. */
  readonly variant?: 'canary';
}

/**
 * What serving needs of a model version: its inputs in model order and a score. A
 * `LoadedModel` is adapted by `scorerOf`; tests and remote models may answer asynchronously.
 */
export interface Scorer {
  /** Inputs in model order: as written in the project file (`ref`) and as read (`name`). */
  readonly features: readonly { readonly ref: string; readonly name: string }[];
  score(row: Row): number | PromiseLike<number>;
  /** Many rows at once (micro-batching); the scores in row order. */
  readonly scoreBatch?: (rows: readonly Row[]) => ArrayLike<number>;
  /** Online models: learn from one labelled example (raw feature values). */
  readonly learn?: (row: Row, label: number) => void;
}

/** A registry version being served. */
export interface ServedVersion {
  readonly version: number;
  readonly scorer: Scorer;
}

/**
 * A served model: its champion; for the 'previous-version' fallback, the version before; and
 * the versions its serving options name as canary and shadow.
 */
export interface ServedModel {
  readonly champion: ServedVersion;
  readonly previous?: ServedVersion | undefined;
  readonly canary?: ServedVersion | undefined;
  readonly shadow?: ServedVersion | undefined;
}
