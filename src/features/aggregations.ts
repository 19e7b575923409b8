import { TandemError, quote } from '../errors.js';
import { parseDuration, type Duration } from './duration.js';

/** What a feature function may return; booleans count as 1 and 0, `null`/`undefined` as missing. */
export type InputValue = number | boolean | string | null | undefined;

/** A feature's input: a field of the event, or a function of the event. */
export type Input<E> = (keyof E & string) | ((event: E) => InputValue);

export type AggregationKind =
  | 'count'
  | 'sum'
  | 'mean'
  | 'min'
  | 'max'
  | 'variance'
  | 'std'
  | 'last'
  | 'lastK'
  | 'approxDistinct';

export interface WindowOptions {
  /** Window length, e.g. `'1h'`; omit for a lifetime feature covering all earlier events. */
  readonly window?: Duration;
}

export interface LastKOptions extends WindowOptions {
  readonly k: number;
}

export interface ApproxDistinctOptions extends WindowOptions {
  /**
   * HyperLogLog precision p: 2^p registers, relative standard error ≈ 1.04 / √(2^p).
   * @default 12 (4096 registers, ≈ 1.6 %)
   */
  readonly precision?: number;
}

/** One windowed aggregation, as written in a feature view. `E` is the source's event type. */
/** A feature value as read: numbers for numeric aggregations, the input's own values for last/lastK. */
export type Scalar = number | string | boolean;
export type FeatureValue = Scalar | null | readonly Scalar[];

/**
 * One windowed aggregation, as written in a feature view. `E` is the source's event type and
 * `O` the type of the value it reads as (used to type request-time features).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Aggregation<E = any, O extends FeatureValue = FeatureValue> {
  readonly kind: 'aggregation';
  readonly aggregation: AggregationKind;
  /** `undefined` only for `count()`, which counts events. */
  readonly input: Input<E> | undefined;
  /** Window length in ms; `Infinity` for lifetime. */
  readonly windowMs: number;
  readonly k: number;
  readonly precision: number;
  /** What is wrong with the definition, reported by the feature view that uses it. */
  readonly problem: string | undefined;
  /** Phantom member carrying the value type; never set. */
  readonly __value?: O;
}

export const DEFAULT_HLL_PRECISION = 12;
export const MAX_LAST_K = 1_000;

function make(
  aggregation: AggregationKind,
  input: Input<unknown> | undefined,
  options: WindowOptions | undefined,
  extra: { k?: number; precision?: number } = {},
): Aggregation {
  // Problems are recorded, not thrown: only the feature view knows the names that make the
  // message useful ("feature view 'card_stats', feature 'amount_7d': …").
  let problem: string | undefined;
  if (input !== undefined && typeof input !== 'string' && typeof input !== 'function') {
    problem = `${aggregation}() takes a field name or a function of the event, got ${quote(input)}`;
  }
  const window = options?.window;
  let windowMs = Infinity;
  if (window !== undefined) {
    try {
      windowMs = parseDuration(window, `${aggregation}() window`);
      if (windowMs === 0) problem ??= `${aggregation}() window must be longer than 0; omit it for a lifetime feature`;
    } catch (error) {
      if (!(error instanceof TandemError)) throw error;
      problem ??= error.message;
    }
  }
  return {
    kind: 'aggregation',
    aggregation,
    input,
    windowMs,
    k: extra.k ?? 1,
    precision: extra.precision ?? DEFAULT_HLL_PRECISION,
    problem,
  };
}

/**
 * An aggregation over a named field only constrains the event to have that field, so a view
 * accepts it exactly when its source has the field (a typo is a compile error).
 */
export type FieldEvent<K extends string> = { readonly [P in K]: unknown };

/**
 * `count()` counts events in the window; `count(input)` counts events whose input is not null.
 * An empty window counts 0.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- counting events fits any source
export function count(options?: WindowOptions): Aggregation<any, number>;
export function count<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, number>;
export function count<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, number>;
export function count(inputOrOptions?: Input<unknown> | string | WindowOptions, options?: WindowOptions): Aggregation {
  if (inputOrOptions === undefined || (typeof inputOrOptions === 'object' && inputOrOptions !== null)) {
    return make('count', undefined, inputOrOptions);
  }
  return make('count', inputOrOptions as Input<unknown>, options);
}

/** Sum of the input over the window; 0 when empty. */
export function sum<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, number>;
export function sum<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, number>;
export function sum(input: Input<unknown> | string, options?: WindowOptions): Aggregation {
  return make('sum', input as Input<unknown>, options);
}

/** Arithmetic mean; null when the window holds no value. */
export function mean<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, number | null>;
export function mean<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, number | null>;
export function mean(input: Input<unknown> | string, options?: WindowOptions): Aggregation {
  return make('mean', input as Input<unknown>, options);
}

/** Share of events in the window for which the predicate holds; null when empty. Same as `mean` of 1/0. */
export function ratio<E>(predicate: (event: E) => boolean | null | undefined, options?: WindowOptions): Aggregation<E, number | null> {
  return make('mean', predicate as Input<unknown>, options) as Aggregation<E, number | null>;
}

/** Smallest value in the window; null when empty. */
export function min<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, number | null>;
export function min<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, number | null>;
export function min(input: Input<unknown> | string, options?: WindowOptions): Aggregation {
  return make('min', input as Input<unknown>, options);
}

/** Largest value in the window; null when empty. */
export function max<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, number | null>;
export function max<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, number | null>;
export function max(input: Input<unknown> | string, options?: WindowOptions): Aggregation {
  return make('max', input as Input<unknown>, options);
}

/** Population variance (divides by n); null when the window holds no value. */
export function variance<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, number | null>;
export function variance<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, number | null>;
export function variance(input: Input<unknown> | string, options?: WindowOptions): Aggregation {
  return make('variance', input as Input<unknown>, options);
}

/** Population standard deviation; null when the window holds no value. */
export function std<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, number | null>;
export function std<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, number | null>;
export function std(input: Input<unknown> | string, options?: WindowOptions): Aggregation {
  return make('std', input as Input<unknown>, options);
}

/** The most recent non-null value in the window (ties at one instant: the last to arrive). */
export function last<E>(input: (event: E) => InputValue, options?: WindowOptions): Aggregation<E, Scalar | null>;
export function last<const K extends string>(input: K, options?: WindowOptions): Aggregation<FieldEvent<K>, Scalar | null>;
export function last(input: Input<unknown> | string, options?: WindowOptions): Aggregation {
  return make('last', input as Input<unknown>, options);
}

/** The `k` most recent non-null values in the window, newest first; an empty array when none. */
export function lastK<E>(input: (event: E) => InputValue, options: LastKOptions): Aggregation<E, readonly Scalar[]>;
export function lastK<const K extends string>(input: K, options: LastKOptions): Aggregation<FieldEvent<K>, readonly Scalar[]>;
export function lastK(input: Input<unknown> | string, options: LastKOptions): Aggregation {
  const k = options?.k;
  const made = make('lastK', input as Input<unknown>, options, { k: typeof k === 'number' ? k : 1 });
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_LAST_K) {
    return { ...made, problem: made.problem ?? `lastK() needs k, a whole number from 1 to ${MAX_LAST_K}, got ${quote(k)}` };
  }
  return made;
}

/**
 * Approximate number of distinct non-null values in the window (HyperLogLog over a sliding
 * window; relative standard error ≈ 1.04/√(2^precision)).
 */
export function approxDistinct<E>(input: (event: E) => InputValue, options?: ApproxDistinctOptions): Aggregation<E, number>;
export function approxDistinct<const K extends string>(input: K, options?: ApproxDistinctOptions): Aggregation<FieldEvent<K>, number>;
export function approxDistinct(input: Input<unknown> | string, options?: ApproxDistinctOptions): Aggregation {
  const precision = options?.precision ?? DEFAULT_HLL_PRECISION;
  const made = make('approxDistinct', input as Input<unknown>, options, { precision });
  if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
    return { ...made, problem: made.problem ?? `approxDistinct() precision must be a whole number from 4 to 16, got ${quote(precision)}` };
  }
  return made;
}

/** Aggregations whose input must be numeric (or boolean, counted as 1/0). */
export const NUMERIC_AGGREGATIONS: ReadonlySet<AggregationKind> = new Set(['sum', 'mean', 'min', 'max', 'variance', 'std']);
