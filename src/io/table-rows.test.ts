import { describe, expect, it } from 'vitest';
import { columnValue } from './column-value.js';
import { tableFromRows } from './table-from-rows.js';
import { tableToRows } from './table-to-rows.js';

describe('tableFromRows and tableToRows', () => {
  it('round-trips rows with nulls, keeping columns in order of first appearance', () => {
    const rows = [
      { ts: 1_700_000_000_000, user: 'ann', amount: 12.5, flag: true },
      { ts: 1_700_000_001_000, user: null, amount: null, flag: false, extra: [1, 2] },
      { ts: 1_700_000_002_000, user: 'ann', flag: null },
    ];
    const table = tableFromRows(rows, { ts: 'timestamp' });
    expect([...table.columns.keys()]).toEqual(['ts', 'user', 'amount', 'flag', 'extra']);
    expect(table.columns.get('user')).toEqual({ type: 'string', codes: Int32Array.from([0, -1, 0]), dictionary: ['ann'] });
    expect(tableToRows(table)).toEqual([
      { ts: 1_700_000_000_000, user: 'ann', amount: 12.5, flag: true, extra: null },
      { ts: 1_700_000_001_000, user: null, amount: null, flag: false, extra: [1, 2] },
      { ts: 1_700_000_002_000, user: 'ann', amount: null, flag: null, extra: null },
    ]);
  });

  it('infers types from all values, not just the first', () => {
    const table = tableFromRows([{ a: 1, b: null, c: 'x', d: new Date(5), e: null }, { a: 2, b: true, c: 7, d: null, e: null }]);
    expect([...table.columns.values()].map((c) => c.type)).toEqual(['number', 'boolean', 'string', 'timestamp', 'json']);
    expect(tableToRows(table)[1]).toEqual({ a: 2, b: true, c: '7', d: null, e: null });
  });

  it('converts typed values from text, Dates and 1/0', () => {
    const table = tableFromRows(
      [
        { ts: '2024-01-15T10:30:00Z', n: '42', ok: 1, id: 7 },
        { ts: new Date(Date.UTC(2024, 0, 15)), n: 3n, ok: 'false', id: '007' },
      ],
      { ts: 'timestamp', n: 'number', ok: 'boolean', id: 'string' },
    );
    expect(tableToRows(table)).toEqual([
      { ts: Date.UTC(2024, 0, 15, 10, 30), n: 42, ok: true, id: '7' },
      { ts: Date.UTC(2024, 0, 15), n: 3, ok: false, id: '007' },
    ]);
  });

  it('includes a typed column that no row has, as nulls', () => {
    const table = tableFromRows([{ a: 1 }], { b: 'number' });
    expect(tableToRows(table)).toEqual([{ a: 1, b: null }]);
  });

  it('names the column, row and value that cannot be converted', () => {
    expect(() => tableFromRows([{ ts: 1 }, { ts: 'soon' }], { ts: 'timestamp' })).toThrow(
      expect.objectContaining({
        code: 'TANDEM_FILE_COLUMN',
        message: "column 'ts' row 2: 'soon' is not a timestamp (ISO 8601 or epoch milliseconds)",
      }),
    );
    expect(() => tableFromRows([{ n: 'many' }], { n: 'number' })).toThrow("column 'n' row 1: 'many' is not a number");
    expect(() => tableFromRows([{ b: 2 }], { b: 'boolean' })).toThrow("column 'b' row 1: 2 is not a boolean (true/false or 1/0)");
  });
});

describe('columnValue', () => {
  it('decodes each column type at a row, with null for missing', () => {
    const table = tableFromRows([{ n: 1.5, b: true, s: 'x', j: { k: 1 } }, {}], { n: 'number', b: 'boolean', s: 'string', j: 'json' });
    const value = (name: string, row: number): unknown => columnValue(table.columns.get(name)!, row);
    expect([value('n', 0), value('b', 0), value('s', 0), value('j', 0)]).toEqual([1.5, true, 'x', { k: 1 }]);
    expect([value('n', 1), value('b', 1), value('s', 1), value('j', 1)]).toEqual([null, null, null, null]);
  });
});
