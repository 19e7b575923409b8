import type { Column } from './table.js';

/**
 * The value at `row` as plain JS: numbers and timestamps (epoch ms) as numbers, booleans as
 * true/false, strings decoded, json values as stored; null where missing.
 */
export function columnValue(column: Column, row: number): unknown {
  switch (column.type) {
    case 'number':
    case 'timestamp': {
      const value = column.values[row]!;
      return value === value ? value : null;
    }
    case 'boolean': {
      const value = column.values[row]!;
      return value === value ? value === 1 : null;
    }
    case 'string': {
      const code = column.codes[row]!;
      return code < 0 ? null : column.dictionary[code]!;
    }
    case 'json':
      return column.values[row] ?? null;
  }
}
