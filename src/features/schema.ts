/** Field types an event schema may use. Timestamps are carried as epoch milliseconds. */
export type FieldType = 'timestamp' | 'number' | 'string' | 'boolean';

/**
 * What ingestion does with a field tagged as personal data before anything is written:
 * `tokenize` replaces it by a keyed hash (equal inputs, equal tokens), `redact` by a fixed
 * marker, `drop` removes it.
 */
export type PiiAction = 'tokenize' | 'redact' | 'drop';

export interface FieldOptions<T extends FieldType = FieldType> {
  readonly type: T;
  /** Whether the field may be null or absent. @default false */
  readonly nullable?: boolean;
  /** Personal data: how ingestion protects it. @default undefined (not personal data) */
  readonly pii?: PiiAction;
  readonly description?: string;
}

export type FieldSpec = FieldType | FieldOptions;
export type Schema = Readonly<Record<string, FieldSpec>>;

type ValueOfType<T extends FieldType> = T extends 'number' | 'timestamp'
  ? number
  : T extends 'string'
    ? string
    : T extends 'boolean'
      ? boolean
      : never;

type ValueOfSpec<F> = F extends FieldType
  ? ValueOfType<F>
  : F extends FieldOptions<infer T>
    ? F extends { readonly nullable: true }
      ? ValueOfType<T> | null
      : ValueOfType<T>
    : never;

/** The event type a schema describes, as feature functions see it. */
export type EventOf<S extends Schema> = { readonly [K in keyof S]: ValueOfSpec<S[K]> };

/** A field after normalisation: every option explicit. */
export interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly nullable: boolean;
  readonly pii: PiiAction | undefined;
}

export function normalizeField(name: string, spec: FieldSpec): Field {
  if (typeof spec === 'string') return { name, type: spec, nullable: false, pii: undefined };
  return { name, type: spec.type, nullable: spec.nullable ?? false, pii: spec.pii };
}

export const FIELD_TYPES: readonly FieldType[] = ['timestamp', 'number', 'string', 'boolean'];
export const PII_ACTIONS: readonly PiiAction[] = ['tokenize', 'redact', 'drop'];
