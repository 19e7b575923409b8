import { TandemError, quote } from '../errors.js';
import { NUMERIC_AGGREGATIONS, type Aggregation, type FeatureValue } from './aggregations.js';
import type { Entity } from './entity.js';
import { checkName } from './names.js';
import type { EventOf, Schema } from './schema.js';
import type { Source } from './source.js';

/** Feature values by name: what a view's features read as. */
export type ValueMap = Readonly<Record<string, FeatureValue>>;

/** A view's aggregations by feature name, each typed by the value it reads as. */
export type FeatureMap<S extends Schema, V extends ValueMap> = { readonly [K in keyof V]: Aggregation<EventOf<S>, V[K]> };

export interface FeatureViewOptions<S extends Schema, V extends ValueMap> {
  readonly entity: Entity;
  readonly features: FeatureMap<S, V>;
  readonly description?: string;
}

export interface FeatureView<S extends Schema = Schema, V extends ValueMap = ValueMap> {
  readonly kind: 'featureView';
  readonly name: string;
  readonly source: Source<S>;
  readonly entity: Entity;
  readonly features: Readonly<Record<string, Aggregation>>;
  /** Phantom member carrying the value types; never set. */
  readonly __values?: V;
  /** Feature names in definition order: the order of output columns. */
  readonly featureNames: readonly string[];
  readonly description: string | undefined;
}

/** The values a view's features read as, by feature name. */
export type ValuesOf<View> = View extends FeatureView<Schema, infer V> ? V : never;

/**
 * Declare windowed aggregations of one source's events, per entity. The source comes before
 * the options so that TypeScript knows the event type when it checks feature functions.
 */
export function featureView<const S extends Schema, V extends ValueMap>(
  name: string,
  source: Source<S>,
  options: FeatureViewOptions<S, V>,
): FeatureView<S, V> {
  checkName(name, 'feature view');
  const where = `feature view '${name}'`;
  const entity = options?.entity;
  const features = options?.features as Readonly<Record<string, Aggregation>> | undefined;
  if (source?.kind !== 'source') {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where} needs a source made with source(), got ${quote(source)}`);
  }
  if (entity?.kind !== 'entity') {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where} needs an entity made with entity(), got ${quote(entity)}`);
  }
  for (const key of entity.keys) {
    const field = source.fields.get(key);
    if (field === undefined) {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `${where}: entity '${entity.name}' key '${key}' is not a field of source '${source.name}'`,
      );
    }
    if (field.type === 'timestamp') {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: entity key '${key}' cannot be a timestamp field`);
    }
  }
  if (features === null || typeof features !== 'object' || Object.keys(features).length === 0) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where} needs at least one feature`);
  }
  for (const [featureName, aggregation] of Object.entries(features)) {
    checkName(featureName, `${where}: feature`);
    const at = `${where}, feature '${featureName}'`;
    if (aggregation?.kind !== 'aggregation') {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `${at}: expected an aggregation such as count(), sum('field') or mean(fn), got ${quote(aggregation)}`,
      );
    }
    if (aggregation.problem !== undefined) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${at}: ${aggregation.problem}`);
    }
    if (entity.keys.includes(featureName)) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `${at}: the name is also an entity key column`);
    }
    const input = aggregation.input;
    if (typeof input === 'string') {
      const field = source.fields.get(input);
      if (field === undefined) {
        throw new TandemError(
          'TANDEM_INVALID_DEFINITION',
          `${at}: ${aggregation.aggregation}() reads field '${input}', which is not in source '${source.name}' (fields: ${[...source.fields.keys()].join(', ')})`,
        );
      }
      if (NUMERIC_AGGREGATIONS.has(aggregation.aggregation) && field.type === 'string') {
        throw new TandemError(
          'TANDEM_INVALID_DEFINITION',
          `${at}: ${aggregation.aggregation}() needs a number or boolean field, but '${input}' is a string`,
        );
      }
      if (field.pii === 'drop') {
        throw new TandemError(
          'TANDEM_INVALID_DEFINITION',
          `${at}: field '${input}' is personal data dropped at ingestion, so no feature can read it`,
        );
      }
    }
  }
  return {
    kind: 'featureView',
    name,
    source,
    entity,
    features,
    featureNames: Object.keys(features),
    description: options.description,
  };
}
