import { KEY_SEPARATOR, type Entity } from '../features/entity.js';
import { TandemError, quote } from '../errors.js';

/** A key as callers pass it: the value of a one-field key, an object of key fields, or the parts in order. */
export type EntityKey = string | number | boolean | readonly unknown[] | Readonly<Record<string, unknown>>;

/** One key part as its string form; throws TANDEM_INVALID_KEY for null and non-scalar values. */
export function keyPart(value: unknown, entity: Entity, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new TandemError(
    'TANDEM_INVALID_KEY',
    value === null || value === undefined
      ? `entity '${entity.name}' key field '${field}' is missing`
      : `entity '${entity.name}' key field '${field}' must be a string, number or boolean, got ${quote(value)}`,
    { details: { entity: entity.name, field } },
  );
}

/** The internal key string of an event or a record holding the key fields. */
export function keyOfRecord(entity: Entity, record: Readonly<Record<string, unknown>>): string {
  const keys = entity.keys;
  if (keys.length === 1) return keyPart(record[keys[0]!], entity, keys[0]!);
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += KEY_SEPARATOR;
    out += keyPart(record[keys[i]!], entity, keys[i]!);
  }
  return out;
}

/** The internal key string of a key given by a caller in any accepted form. */
export function keyOf(entity: Entity, key: EntityKey): string {
  if (typeof key === 'object' && key !== null && !Array.isArray(key)) return keyOfRecord(entity, key as Readonly<Record<string, unknown>>);
  return keyParts(entity, key).join(KEY_SEPARATOR);
}

/** The key's parts in the entity's key-field order, each in its string form. */
export function keyParts(entity: Entity, key: EntityKey): string[] {
  if (Array.isArray(key)) {
    if (key.length !== entity.keys.length) {
      throw new TandemError(
        'TANDEM_INVALID_KEY',
        `entity '${entity.name}' has ${entity.keys.length} key field(s) (${entity.keys.join(', ')}), got ${key.length} value(s)`,
      );
    }
    return key.map((v, i) => keyPart(v, entity, entity.keys[i]!));
  }
  if (typeof key === 'object' && key !== null) {
    const record = key as Readonly<Record<string, unknown>>;
    return entity.keys.map((field) => keyPart(record[field], entity, field));
  }
  if (entity.keys.length !== 1) {
    throw new TandemError(
      'TANDEM_INVALID_KEY',
      `entity '${entity.name}' has a composite key (${entity.keys.join(', ')}); pass an object with those fields`,
    );
  }
  return [keyPart(key, entity, entity.keys[0]!)];
}
