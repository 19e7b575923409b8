import { columnValue } from './column-value.js';
import type { Table } from './table.js';

/** One object per row, keys in column order; for tests and small data. */
export function tableToRows(table: Table): Record<string, unknown>[] {
  const columns = [...table.columns];
  const rows: Record<string, unknown>[] = [];
  for (let row = 0; row < table.length; row++) {
    const object: Record<string, unknown> = {};
    for (const [name, column] of columns) object[name] = columnValue(column, row);
    rows.push(object);
  }
  return rows;
}
