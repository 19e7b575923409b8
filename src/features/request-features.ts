import { TandemError, quote } from '../errors.js';
import type { FeatureValue, InputValue } from './aggregations.js';
import type { FeatureView, ValuesOf } from './feature-view.js';
import { checkName } from './names.js';
import { FIELD_TYPES, normalizeField, type EventOf, type Field, type Schema } from './schema.js';

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** What a request-time feature function sees: the request fields and the input views' features. */
export type RequestRow<R extends Schema, V extends readonly FeatureView[]> = EventOf<R> &
  UnionToIntersection<ValuesOf<V[number]>>;

export type RequestFeatureFn<Row> = (row: Row) => InputValue;

export interface RequestFeaturesOptions<R extends Schema, V extends readonly FeatureView[]> {
  /** Fields the request (or, in backfill, the spine row) carries. */
  readonly request: R;
  /** Feature views whose values the functions may read, by feature name. @default [] */
  readonly views?: V;
  readonly features: Readonly<Record<string, RequestFeatureFn<RequestRow<R, V>>>>;
  readonly description?: string;
}

export interface RequestFeatures {
  readonly kind: 'requestFeatures';
  readonly name: string;
  readonly requestFields: ReadonlyMap<string, Field>;
  readonly views: readonly FeatureView[];
  readonly features: Readonly<Record<string, (row: Readonly<Record<string, FeatureValue>>) => InputValue>>;
  readonly featureNames: readonly string[];
  readonly description: string | undefined;
}

/**
 * Declare request-time (on-demand) features: functions of the request and of other features.
 * The same functions run in backfill (on spine rows) and in serving (on requests).
 */
export function requestFeatures<const R extends Schema, const V extends readonly FeatureView[] = []>(
  name: string,
  options: RequestFeaturesOptions<R, V>,
): RequestFeatures {
  checkName(name, 'request features');
  const where = `request features '${name}'`;
  const requestFields = new Map<string, Field>();
  for (const [fieldName, spec] of Object.entries(options?.request ?? {})) {
    checkName(fieldName, `${where}: request field`);
    const type = typeof spec === 'string' ? spec : spec?.type;
    if (!FIELD_TYPES.includes(type)) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: request field '${fieldName}' has type ${quote(type)}`);
    }
    requestFields.set(fieldName, normalizeField(fieldName, spec));
  }
  const views = [...(options?.views ?? [])];
  for (const view of views) {
    if (view?.kind !== 'featureView') {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: views must be feature views, got ${quote(view)}`);
    }
  }
  const available = new Set(requestFields.keys());
  for (const view of views) for (const f of view.featureNames) available.add(f);
  const features = options?.features ?? {};
  if (Object.keys(features).length === 0) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where} needs at least one feature`);
  }
  for (const [featureName, fn] of Object.entries(features)) {
    checkName(featureName, `${where}: feature`);
    if (typeof fn !== 'function') {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `${where}, feature '${featureName}': expected a function of the request row, got ${quote(fn)}`,
      );
    }
    if (available.has(featureName)) {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `${where}, feature '${featureName}': the name is already a request field or an input view's feature`,
      );
    }
  }
  return {
    kind: 'requestFeatures',
    name,
    requestFields,
    views,
    features: features as RequestFeatures['features'],
    featureNames: Object.keys(features),
    description: options.description,
  };
}
