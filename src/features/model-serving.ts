import { TandemError, quote } from '../errors.js';
import type { FeatureValue } from './aggregations.js';

/**
 * Why the model itself did not answer a prediction. 'forced': a monitoring alert with action
 * 'fallback' switched the model to its fallback chain until the alert's condition clears.
 * 'features-unavailable': the shared online state (Redis, in a scale-out deployment) could not
 * be read, so there are no features at all.
 */
export type FallbackReason = 'timeout' | 'overload' | 'missing-features' | 'feature-error' | 'features-unavailable' | 'model-error' | 'forced';

export const FALLBACK_REASONS: readonly FallbackReason[] = ['timeout', 'overload', 'missing-features', 'feature-error', 'features-unavailable', 'model-error', 'forced'];

/** Whether a prediction answered for `reason` was made without reading its features (nothing to learn from or compare). */
export function withoutFeatures(reason: FallbackReason | undefined): boolean {
  return reason === 'feature-error' || reason === 'features-unavailable';
}

/** A model's inputs by feature name, as rules and heuristics see them. */
export type ServingFeatures = Readonly<Record<string, FeatureValue>>;

/** What a rule's `when` sees. Valid during the call only: copy what you keep. */
export interface RuleInput {
  /** The score that answered (the model's, or the fallback's). */
  readonly score: number;
  readonly features: ServingFeatures;
  /** Which fallback answered, null when the model did. */
  readonly fallback: FallbackKind | null;
}

export interface Rule {
  readonly name: string;
  readonly when: (input: RuleInput) => boolean;
  /** The decision when `when` holds, e.g. 'block', 'review'. */
  readonly decision: string;
}

export type FallbackKind = 'previous-version' | 'heuristic' | 'default';

/**
 * One step of a fallback chain, tried in order until one answers:
 * - `'previous-version'`: the registry version before the champion (skipped when there is none);
 * - `{ heuristic, name? }`: a function of the features (skipped when it throws or gives no number);
 * - `{ score }`: a constant; always answers.
 * `on` limits a step to some reasons. @default every reason; for 'previous-version' every reason
 * but 'missing-features', 'feature-error' and 'features-unavailable', since an older model
 * lacks the same inputs.
 */
export type FallbackStep =
  | 'previous-version'
  | { readonly previousVersion: true; readonly on?: readonly FallbackReason[] }
  | { readonly heuristic: (features: ServingFeatures) => number; readonly name?: string; readonly on?: readonly FallbackReason[] }
  | { readonly score: number; readonly on?: readonly FallbackReason[] };

export interface ServingOptions {
  /**
   * Latency budget for feature read + score, in ms. A synchronous model cannot be interrupted:
   * when it returns after the budget, the fallback answers instead and 'timeout' is counted.
   * An asynchronous scorer is raced against a timer and the fallback answers at the budget.
   * @default undefined (no budget)
   */
  readonly budgetMs?: number;
  /** Predictions of this model in progress at once before new ones are answered by the fallback ('overload'). @default undefined (no limit) */
  readonly maxInFlight?: number;
  /** Tried in order when the model cannot answer. @default [] (no fallback: errors answer 5xx) */
  readonly fallback?: readonly FallbackStep[];
  /** Ordered: the first rule whose `when` holds decides. @default [] */
  readonly rules?: readonly Rule[];
  /** The decision when no rule fires. @default 'allow' */
  readonly defaultDecision?: string;
  /**
   * Canary: the registry version under `alias` answers `share` of the traffic, chosen by a
   * hash of the request's entity keys (an entity always gets the same version).
   * @default undefined (no canary); alias @default 'canary'
   */
  readonly canary?: { readonly alias?: string; readonly share: number };
  /**
   * Shadow: the registry version under `alias` scores every request after the response, off
   * the critical path; its score and decision are logged beside the champion's.
   * @default undefined (no shadow); alias @default 'challenger'
   */
  readonly shadow?: { readonly alias?: string };
  /**
   * Adaptive micro-batching of inference: requests that arrive together are scored in one
   * batch call (at most `maxBatch`). A request is scored on the next turn of the event loop with
   * whatever arrived in the same turn; only after a full batch does the batcher wait up to
   * `maxWaitMs` for the next to fill. It pays when one call has a fixed cost (a remote or native
   * model); see bench/README.md. @default undefined (each request scored alone); maxBatch
   * @default 32, maxWaitMs @default 1
   */
  readonly batching?: { readonly maxBatch?: number; readonly maxWaitMs?: number };
}

/** A fallback step after validation, in one shape. */
export interface FallbackDefinition {
  readonly kind: FallbackKind;
  /** For reports: 'previous-version', the heuristic's name, or 'default'. */
  readonly name: string;
  readonly on: ReadonlySet<FallbackReason>;
  readonly heuristic: ((features: ServingFeatures) => number) | undefined;
  readonly score: number;
}

export interface ServingDefinition {
  readonly budgetMs: number | undefined;
  readonly maxInFlight: number | undefined;
  readonly fallback: readonly FallbackDefinition[];
  readonly rules: readonly Rule[];
  readonly defaultDecision: string;
  readonly canary: { readonly alias: string; readonly share: number } | undefined;
  readonly shadow: { readonly alias: string } | undefined;
  readonly batching: { readonly maxBatch: number; readonly maxWaitMs: number } | undefined;
}

const ALL_REASONS: ReadonlySet<FallbackReason> = new Set(FALLBACK_REASONS);
const MODEL_REASONS: ReadonlySet<FallbackReason> = new Set<FallbackReason>(['timeout', 'overload', 'model-error', 'forced']);

/** Validates a model's `serving` option; errors name the model and the option. */
export function checkServing(where: string, options: ServingOptions | undefined): ServingDefinition {
  const at = (option: string): string => `${where}: serving.${option}`;
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: serving must be an object, got ${quote(options)}`);
  }
  const { budgetMs, maxInFlight } = options ?? {};
  if (budgetMs !== undefined && !(typeof budgetMs === 'number' && budgetMs > 0 && Number.isFinite(budgetMs))) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('budgetMs')} must be a positive number of milliseconds, got ${quote(budgetMs)}`);
  }
  if (maxInFlight !== undefined && !(Number.isSafeInteger(maxInFlight) && maxInFlight > 0)) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('maxInFlight')} must be a positive whole number, got ${quote(maxInFlight)}`);
  }
  const fallback = options?.fallback ?? [];
  if (!Array.isArray(fallback)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('fallback')} must be a list of steps, got ${quote(fallback)}`);
  const rules = options?.rules ?? [];
  if (!Array.isArray(rules)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('rules')} must be a list of rules, got ${quote(rules)}`);
  const names = new Set<string>();
  rules.forEach((rule: Rule | undefined, i) => {
    if (typeof rule?.name !== 'string' || rule.name === '') throw new TandemError('TANDEM_INVALID_DEFINITION', `${at(`rules[${i}].name`)} must be a non-empty string, got ${quote(rule?.name)}`);
    if (names.has(rule.name)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${at(`rules[${i}]`)}: rule '${rule.name}' is defined twice`);
    names.add(rule.name);
    if (typeof rule.when !== 'function') throw new TandemError('TANDEM_INVALID_DEFINITION', `${at(`rules[${i}].when`)} (rule '${rule.name}') must be a function of { score, features }, got ${quote(rule.when)}`);
    if (typeof rule.decision !== 'string' || rule.decision === '') throw new TandemError('TANDEM_INVALID_DEFINITION', `${at(`rules[${i}].decision`)} (rule '${rule.name}') must be a non-empty string, got ${quote(rule.decision)}`);
  });
  const defaultDecision = options?.defaultDecision ?? 'allow';
  if (typeof defaultDecision !== 'string' || defaultDecision === '') {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('defaultDecision')} must be a non-empty string, got ${quote(defaultDecision)}`);
  }
  const canary = options?.canary;
  if (canary !== undefined) {
    if (canary === null || typeof canary !== 'object' || !(typeof canary.share === 'number' && canary.share > 0 && canary.share < 1)) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('canary.share')} must be a share of traffic in (0, 1), got ${quote((canary as { share?: unknown } | null)?.share)}`);
    }
    checkAlias(at('canary.alias'), canary.alias);
  }
  const shadow = options?.shadow;
  if (shadow !== undefined) {
    if (shadow === null || typeof shadow !== 'object') throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('shadow')} must be { alias? }, got ${quote(shadow)}`);
    checkAlias(at('shadow.alias'), shadow.alias);
  }
  const canaryAlias = canary?.alias ?? 'canary';
  const shadowAlias = shadow?.alias ?? 'challenger';
  if (canary !== undefined && shadow !== undefined && canaryAlias === shadowAlias) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('shadow.alias')} and serving.canary.alias are both '${canaryAlias}'; a version is either a canary or a shadow`);
  }
  if (canaryAlias === 'champion' || shadowAlias === 'champion') {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${at(canaryAlias === 'champion' ? 'canary.alias' : 'shadow.alias')} cannot be 'champion', which answers already`);
  }
  const batching = options?.batching;
  if (batching !== undefined && (batching === null || typeof batching !== 'object')) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('batching')} must be { maxBatch?, maxWaitMs? }, got ${quote(batching)}`);
  }
  const maxBatch = batching?.maxBatch ?? 32;
  if (!(Number.isSafeInteger(maxBatch) && maxBatch >= 1 && maxBatch <= 4096)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('batching.maxBatch')} must be a whole number in 1..4096, got ${quote(batching?.maxBatch)}`);
  const maxWaitMs = batching?.maxWaitMs ?? 1;
  if (!(typeof maxWaitMs === 'number' && maxWaitMs >= 0 && maxWaitMs <= 1000)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${at('batching.maxWaitMs')} must be a number of milliseconds in 0..1000, got ${quote(batching?.maxWaitMs)}`);
  return {
    batching: batching === undefined ? undefined : { maxBatch, maxWaitMs },
    canary: canary === undefined ? undefined : { alias: canaryAlias, share: canary.share },
    shadow: shadow === undefined ? undefined : { alias: shadowAlias },
    budgetMs,
    maxInFlight,
    fallback: fallback.map((step: FallbackStep, i) => checkStep(at(`fallback[${i}]`), step)),
    rules: rules.map((rule) => ({ name: rule.name, when: rule.when, decision: rule.decision })),
    defaultDecision,
  };
}

function checkAlias(where: string, alias: unknown): void {
  if (alias !== undefined && (typeof alias !== 'string' || !/^[A-Za-z][\w-]*$/.test(alias))) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where} must name a registry alias such as 'challenger', got ${quote(alias)}`);
  }
}

function checkStep(where: string, step: FallbackStep): FallbackDefinition {
  if (step === 'previous-version' || (typeof step === 'object' && step !== null && 'previousVersion' in step && step.previousVersion === true)) {
    return { kind: 'previous-version', name: 'previous-version', on: checkOn(where, typeof step === 'object' ? step.on : undefined, MODEL_REASONS), heuristic: undefined, score: Number.NaN };
  }
  if (typeof step === 'object' && step !== null && 'heuristic' in step) {
    if (typeof step.heuristic !== 'function') throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}.heuristic must be a function of the features returning a score, got ${quote(step.heuristic)}`);
    if (step.name !== undefined && (typeof step.name !== 'string' || step.name === '')) throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}.name must be a non-empty string, got ${quote(step.name)}`);
    return { kind: 'heuristic', name: step.name ?? 'heuristic', on: checkOn(where, step.on, ALL_REASONS), heuristic: step.heuristic, score: Number.NaN };
  }
  if (typeof step === 'object' && step !== null && 'score' in step) {
    if (typeof step.score !== 'number' || !Number.isFinite(step.score)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}.score must be a finite number, got ${quote(step.score)}`);
    return { kind: 'default', name: 'default', on: checkOn(where, step.on, ALL_REASONS), heuristic: undefined, score: step.score };
  }
  throw new TandemError('TANDEM_INVALID_DEFINITION', `${where} must be 'previous-version', { heuristic: (features) => score } or { score: <number> }, got ${quote(step)}`);
}

function checkOn(where: string, on: readonly FallbackReason[] | undefined, fallback: ReadonlySet<FallbackReason>): ReadonlySet<FallbackReason> {
  if (on === undefined) return fallback;
  if (!Array.isArray(on) || on.length === 0) throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}.on must be a non-empty list of reasons (${FALLBACK_REASONS.join(', ')}), got ${quote(on)}`);
  for (const reason of on) {
    if (!ALL_REASONS.has(reason)) throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}.on: unknown reason ${quote(reason)} (known: ${FALLBACK_REASONS.join(', ')})`);
  }
  return new Set(on);
}
