import { TandemError, quote } from '../errors.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names of sources, entities, views and features: identifiers, so they work as column names. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TandemError(
      'TANDEM_INVALID_DEFINITION',
      `${what} name ${quote(name)} is invalid; use letters, digits and underscores, starting with a letter or underscore`,
    );
  }
  return name;
}
