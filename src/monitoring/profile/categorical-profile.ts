import type { CategoricalProfile } from '../types.js';
import { TOP_VALUES } from './options.js';

/** A category value; null (or undefined) is missing. */
export type Category = string | null | undefined;

/**
 * The profile of a categorical column: the 100 most frequent values, most frequent first (ties
 * by value, in code-unit order, so the profile is deterministic), and the rest summed in `other`.
 */
export function profileCategorical(name: string, values: ArrayLike<Category>): CategoricalProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      missing++;
      continue;
    }
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const ranked = [...counts].sort(([va, ca], [vb, cb]) => cb - ca || (va < vb ? -1 : va > vb ? 1 : 0));
  let other = 0;
  for (let i = TOP_VALUES; i < ranked.length; i++) other += (ranked[i] as [string, number])[1];
  return {
    kind: 'category',
    name,
    count: values.length,
    missing,
    distinct: counts.size,
    frequencies: ranked.slice(0, TOP_VALUES).map(([value, count]) => ({ value, count })),
    other,
  };
}
