import { TandemError, quote } from '../../errors.js';
import type { CategoricalProfile, ColumnProfile, NumericProfile } from '../types.js';
import { profileCategorical, type Category } from './categorical-profile.js';
import { profileNumeric } from './numeric-profile.js';
import type { ProfileOptions } from './options.js';

export interface ProfileColumnOptions extends ProfileOptions {
  /** Numbers or categories; by default numbers for typed arrays and arrays of numbers. */
  readonly kind?: 'number' | 'category';
}

/**
 * The reference profile of one column: numbers (a Float64Array, NaN for missing) or categories
 * (strings, null for missing). The result is plain JSON and survives JSON.stringify/parse as is.
 */
export function profileColumn(name: string, values: ArrayLike<number>, options?: ProfileColumnOptions): NumericProfile;
export function profileColumn(name: string, values: readonly Category[], options?: ProfileColumnOptions): CategoricalProfile;
export function profileColumn(
  name: string,
  values: ArrayLike<number> | readonly Category[],
  options?: ProfileColumnOptions,
): ColumnProfile;
export function profileColumn(
  name: string,
  values: ArrayLike<number> | readonly Category[],
  options: ProfileColumnOptions = {},
): ColumnProfile {
  const kind = options.kind ?? kindOf(values);
  if (kind === 'number') {
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number') {
        throw new TandemError('TANDEM_INVALID_DATASET', `profileColumn: value ${i} of numeric column '${name}' is ${quote(values[i])}`);
      }
    }
    return profileNumeric(name, values as ArrayLike<number>, options);
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined && typeof value !== 'string') {
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `profileColumn: value ${i} of categorical column '${name}' is ${quote(value)}; categories are strings or null`,
      );
    }
  }
  return profileCategorical(name, values as readonly Category[]);
}

function kindOf(values: ArrayLike<unknown>): 'number' | 'category' {
  if (ArrayBuffer.isView(values)) return 'number';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) return typeof value === 'number' ? 'number' : 'category';
  }
  return 'category';
}
