import { describe, expect, it } from 'vitest';
import { rowCursor } from '../../src/engine/table-access.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';
import type { Column } from '../../src/io/table.js';

describe('rowCursor', () => {
  const rows = [
    { ts: 1, card: 'a', amount: 5, ok: true },
    { ts: 2, card: null, amount: null, ok: null },
  ];
  const types = { ts: 'timestamp', card: 'string', amount: 'number', ok: 'boolean' } as const;

  it('reads each row’s fields as the stream’s event objects hold them, own and enumerable', () => {
    const at = rowCursor(tableFromRows(rows, types));
    expect({ ...at(0) }).toEqual(rows[0]);
    expect(JSON.parse(JSON.stringify(at(1)))).toEqual(rows[1]);
    expect(Object.keys(at(0))).toEqual(['ts', 'card', 'amount', 'ok']);
  });

  it('is one object per table, so feature functions keep their optimized code across backfills', () => {
    const table = tableFromRows(rows, types);
    expect(rowCursor(table)).toBe(rowCursor(table));
    expect(rowCursor(table)(0)).toBe(rowCursor(table)(1));
    expect(rowCursor(tableFromRows(rows, types))).not.toBe(rowCursor(table));
  });

  it('follows a table whose columns were replaced or added since', () => {
    const table = tableFromRows(rows, types);
    expect(rowCursor(table)(0).amount).toBe(5);
    (table.columns as Map<string, Column>).set('amount', { type: 'number', values: Float64Array.of(7, 8) });
    expect(rowCursor(table)(1).amount).toBe(8);
    (table.columns as Map<string, Column>).set('extra', { type: 'number', values: Float64Array.of(1, NaN) });
    expect(rowCursor(table)(1).extra).toBeNull();
    // Renamed in place: the same arrays in the same order under another name.
    const columns = table.columns as Map<string, Column>;
    const entries = [...columns];
    columns.clear();
    for (const [name, column] of entries) columns.set(name === 'amount' ? 'total' : name, column);
    expect(Object.keys(rowCursor(table)(0))).toEqual(['ts', 'card', 'total', 'ok', 'extra']);
    expect(rowCursor(table)(1).total).toBe(8);
  });
});
