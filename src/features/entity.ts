import { TandemError } from '../errors.js';
import { checkName } from './names.js';

export interface EntityOptions {
  /** The key field, or several for a composite key (e.g. `['origin', 'destination']`). */
  readonly key: string | readonly string[];
  readonly description?: string;
}

export interface Entity {
  readonly kind: 'entity';
  readonly name: string;
  readonly keys: readonly string[];
  readonly description: string | undefined;
}

/** Declare what features are about: a card, a merchant, a route made of origin and destination. */
export function entity(name: string, options: EntityOptions): Entity {
  checkName(name, 'entity');
  const keys = typeof options?.key === 'string' ? [options.key] : [...(options?.key ?? [])];
  if (keys.length === 0) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `entity '${name}' needs at least one key field`);
  }
  for (const key of keys) checkName(key, `entity '${name}': key field`);
  if (new Set(keys).size !== keys.length) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `entity '${name}' lists a key field twice: ${keys.join(', ')}`);
  }
  return { kind: 'entity', name, keys, description: options.description };
}

/** Separator of composite key parts inside one key string (ASCII unit separator). */
export const KEY_SEPARATOR = '\u001f';
