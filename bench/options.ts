/** Command-line value parsers shared by the benchmark scripts (commander's option parsers). */
import { InvalidArgumentError } from 'commander';

/** A whole number above 0; `_` may group digits (3_000_000). */
export function wholeNumber(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number above 0, got '${value}'`);
  return n;
}

/** A number above 0. */
export function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a number above 0, got '${value}'`);
  return n;
}
