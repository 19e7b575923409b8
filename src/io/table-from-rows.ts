import { badValue } from './file-errors.js';
import type { Column, ColumnType, Table } from './table.js';
import { parseTimestampText } from './timestamp-text.js';

/**
 * A table from row objects; for tests and small data. Columns appear in order of first
 * appearance (then any typed column no row has); a missing key or undefined is null. Without a
 * type, a column of numbers is `number`, strings `string`, booleans `boolean`, Dates
 * `timestamp`, numbers mixed with strings `string`, and anything else `json`.
 * Typed columns convert: timestamps from epoch ms, Dates and ISO 8601 text; numbers from
 * numeric text; booleans from true/false, 1/0 and their text.
 */
export function tableFromRows(
  rows: readonly Readonly<Record<string, unknown>>[],
  types: Readonly<Record<string, ColumnType>> = {},
): Table {
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row)) names.add(name);
  for (const name of Object.keys(types)) names.add(name);
  const columns = new Map<string, Column>();
  for (const name of names) {
    const values = rows.map((row) => (Object.hasOwn(row, name) ? (row[name] ?? null) : null));
    const type = Object.hasOwn(types, name) ? types[name]! : inferType(values);
    columns.set(name, buildColumn(name, type, values));
  }
  return { length: rows.length, columns };
}

function inferType(values: readonly unknown[]): ColumnType {
  const kinds = new Set<string>();
  for (const value of values) {
    if (value === null) continue;
    kinds.add(typeof value === 'bigint' ? 'number' : value instanceof Date ? 'date' : typeof value);
  }
  if (kinds.size === 2 && kinds.has('number') && kinds.has('string')) return 'string';
  if (kinds.size !== 1) return 'json';
  const [kind] = kinds;
  return kind === 'number' ? 'number' : kind === 'string' ? 'string' : kind === 'boolean' ? 'boolean' : kind === 'date' ? 'timestamp' : 'json';
}

function buildColumn(name: string, type: ColumnType, values: readonly unknown[]): Column {
  switch (type) {
    case 'json':
      return { type, values };
    case 'string': {
      const codes = new Int32Array(values.length);
      const dictionary: string[] = [];
      const codeByText = new Map<string, number>();
      values.forEach((value, row) => {
        if (value === null) {
          codes[row] = -1;
          return;
        }
        const text = asString(value);
        let code = codeByText.get(text);
        if (code === undefined) {
          code = dictionary.push(text) - 1;
          codeByText.set(text, code);
        }
        codes[row] = code;
      });
      return { type, codes, dictionary };
    }
    case 'number':
    case 'timestamp':
    case 'boolean': {
      const convert = type === 'number' ? asNumber : type === 'timestamp' ? asTimestamp : asBoolean;
      const out = new Float64Array(values.length);
      values.forEach((value, row) => {
        const converted = value === null ? NaN : convert(value);
        if (converted === undefined) throw badValue(undefined, name, row + 1, value, type);
        out[row] = converted;
      });
      return { type, values: out };
    }
  }
}

function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isNaN(number) ? undefined : number;
  }
  return undefined;
}

function asTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value) : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'string') return parseTimestampText(value);
  return undefined;
}

function asBoolean(value: unknown): number | undefined {
  if (value === true || value === 1) return 1;
  if (value === false || value === 0) return 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return 1;
    if (text === 'false' || text === '0') return 0;
  }
  return undefined;
}
