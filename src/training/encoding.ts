import { TandemError } from '../errors.js';
import type { Column } from '../io/table.js';
import type { JsonValue } from '../models/artifact.js';
import type { Row } from '../models/model.js';

/**
 * How one feature's values become numbers for a batch model. Numbers, timestamps and booleans
 * pass as they are (booleans as 1/0). Strings become category codes: the index in a vocabulary
 * ordered by training frequency (ties by value), so the code is stable for the same data; a value
 * unseen in training is missing (NaN), which tree models route by their learnt default.
 */
export type FeatureEncoding =
  | { readonly name: string; readonly type: 'number' }
  | { readonly name: string; readonly type: 'category'; readonly vocabulary: readonly string[] };

export function encodingFor(name: string, column: Column, rows: ArrayLike<number>): FeatureEncoding {
  switch (column.type) {
    case 'number':
    case 'timestamp':
    case 'boolean':
      return { name, type: 'number' };
    case 'string': {
      const counts = new Map<number, number>();
      for (let i = 0; i < rows.length; i++) {
        const code = column.codes[rows[i] as number] as number;
        if (code >= 0) counts.set(code, (counts.get(code) ?? 0) + 1);
      }
      const vocabulary = [...counts.entries()]
        .map(([code, count]) => ({ value: column.dictionary[code] as string, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
        .map((entry) => entry.value);
      return { name, type: 'category', vocabulary };
    }
    case 'json':
      throw new TandemError(
        'TANDEM_INVALID_DATASET',
        `feature '${name}' gives a list (lastK); models take single values — derive a number from it with a request-time feature`,
      );
  }
}

/** The encoded column of `rows` (training-set order). */
export function encodeColumn(encoding: FeatureEncoding, column: Column, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  if (encoding.type === 'number') {
    if (column.type === 'string' || column.type === 'json') throw new Error('encoding and column disagree');
    for (let i = 0; i < rows.length; i++) out[i] = column.values[rows[i] as number] as number;
    return out;
  }
  if (column.type !== 'string') throw new Error('encoding and column disagree');
  const index = new Map(encoding.vocabulary.map((value, code) => [value, code]));
  const byDictionary = column.dictionary.map((value) => index.get(value) ?? Number.NaN);
  for (let i = 0; i < rows.length; i++) {
    const code = column.codes[rows[i] as number] as number;
    out[i] = code < 0 ? Number.NaN : (byDictionary[code] as number);
  }
  return out;
}

/** Serving: the same encoding applied to one row of raw feature values. */
export function encodeRow(encodings: readonly FeatureEncoding[], lookups: readonly (ReadonlyMap<string, number> | undefined)[], row: Row): Record<string, number> {
  const out: Record<string, number> = {};
  for (let j = 0; j < encodings.length; j++) {
    const encoding = encodings[j] as FeatureEncoding;
    const value = row[encoding.name];
    if (encoding.type === 'number') {
      out[encoding.name] = typeof value === 'number' ? value : typeof value === 'boolean' ? (value ? 1 : 0) : Number.NaN;
    } else {
      out[encoding.name] = typeof value === 'string' ? ((lookups[j] as ReadonlyMap<string, number>).get(value) ?? Number.NaN) : Number.NaN;
    }
  }
  return out;
}

export function vocabularyLookups(encodings: readonly FeatureEncoding[]): (ReadonlyMap<string, number> | undefined)[] {
  return encodings.map((e) => (e.type === 'category' ? new Map(e.vocabulary.map((value, code) => [value, code])) : undefined));
}

export function encodingsToJson(encodings: readonly FeatureEncoding[]): JsonValue {
  return encodings.map((e) => (e.type === 'category' ? { name: e.name, type: e.type, vocabulary: [...e.vocabulary] } : { name: e.name, type: e.type }));
}
