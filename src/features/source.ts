import { TandemError, quote } from '../errors.js';
import { parseDuration, type Duration } from './duration.js';
import { checkName } from './names.js';
import { FIELD_TYPES, PII_ACTIONS, normalizeField, type EventOf, type Field, type Schema } from './schema.js';

export interface SourceOptions<S extends Schema> {
  /** The field holding each event's event time; must be a `timestamp` field of the schema. */
  readonly timestamp: keyof S & string;
  readonly schema: S;
  /**
   * How far behind the newest event time seen an event may arrive and still be applied.
   * Later ones are rejected with a reason, never dropped silently. @default '1m'
   */
  readonly allowedLateness?: Duration;
  /**
   * A field that identifies an event: ingestion keeps the first event with a given value and
   * acknowledges re-sent copies without storing them again. @default undefined (no dedupe)
   */
  readonly idempotencyKey?: keyof S & string;
  readonly description?: string;
}

export interface Source<S extends Schema = Schema> {
  readonly kind: 'source';
  readonly name: string;
  readonly timestamp: string;
  readonly schema: S;
  readonly fields: ReadonlyMap<string, Field>;
  readonly allowedLatenessMs: number;
  readonly idempotencyKey: string | undefined;
  readonly description: string | undefined;
  /** Phantom member carrying the event type; never set. */
  readonly __event?: EventOf<S>;
}

/**
 * The event type of a source, for annotating feature functions: `(e: EventOfSource<typeof tx>) => …`.
 * (TypeScript cannot always infer a function's parameter inside a view that mixes field names
 * and functions, so an annotation keeps such functions typed.)
 */
export type EventOfSource<Src> = Src extends Source<infer S> ? EventOf<S> : never;

export const DEFAULT_ALLOWED_LATENESS = '1m';

/** Declare a source of events: its typed schema and which field is the event time. */
export function source<const S extends Schema>(name: string, options: SourceOptions<S>): Source<S> {
  checkName(name, 'source');
  const where = `source '${name}'`;
  if (options === null || typeof options !== 'object' || options.schema === null || typeof options.schema !== 'object') {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where} needs a schema object`);
  }
  const fields = new Map<string, Field>();
  for (const [fieldName, spec] of Object.entries(options.schema)) {
    checkName(fieldName, `${where}: field`);
    const type = typeof spec === 'string' ? spec : spec?.type;
    if (!FIELD_TYPES.includes(type)) {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `${where}: field '${fieldName}' has type ${quote(type)}; use one of ${FIELD_TYPES.join(', ')}`,
      );
    }
    if (typeof spec === 'object' && spec.pii !== undefined && !PII_ACTIONS.includes(spec.pii)) {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `${where}: field '${fieldName}' has pii ${quote(spec.pii)}; use one of ${PII_ACTIONS.join(', ')}`,
      );
    }
    fields.set(fieldName, normalizeField(fieldName, spec));
  }
  const ts = fields.get(options.timestamp);
  if (ts === undefined) {
    throw new TandemError(
      'TANDEM_INVALID_DEFINITION',
      `${where}: timestamp field ${quote(options.timestamp)} is not in its schema (fields: ${[...fields.keys()].join(', ')})`,
    );
  }
  if (ts.type !== 'timestamp') {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: timestamp field '${ts.name}' must have type 'timestamp', not '${ts.type}'`);
  }
  if (ts.nullable || ts.pii !== undefined) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `${where}: timestamp field '${ts.name}' cannot be nullable or personal data`);
  }
  if (options.idempotencyKey !== undefined) {
    const key = fields.get(options.idempotencyKey);
    if (key === undefined || key.type === 'timestamp' || key.type === 'boolean') {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `${where}: idempotencyKey ${quote(options.idempotencyKey)} must name a string or number field of the schema`,
      );
    }
  }
  return {
    kind: 'source',
    name,
    timestamp: options.timestamp,
    schema: options.schema,
    fields,
    allowedLatenessMs: parseDuration(options.allowedLateness ?? DEFAULT_ALLOWED_LATENESS, `${where}: allowedLateness`),
    idempotencyKey: options.idempotencyKey,
    description: options.description,
  };
}
