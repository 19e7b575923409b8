import { describe, expect, it } from 'vitest';
import { backfill } from '../../src/engine/backfill.js';
import { backfillParallel } from '../../src/engine/backfill-parallel.js';
import { rowCursor, timeColumn } from '../../src/engine/table-access.js';
import { count, defineProject, entity, featureView, source } from '../../src/index.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';
import type { Column, Table } from '../../src/io/table.js';

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

describe('timeColumn', () => {
  const table = (ts: number[]): Table => ({ length: ts.length, columns: new Map<string, Column>([['ts', { type: 'timestamp', values: Float64Array.from(ts) }]]) });

  it('returns the times as they are, infinite ones included', () => {
    const values = [1, 2, Infinity, -Infinity, 5];
    expect([...timeColumn(table(values), 'ts', 'the spine')]).toEqual(values);
  });

  it('names the first row without a time, wherever it is', () => {
    for (const [ts, row] of [[[NaN], 1], [[1, 2, NaN], 3], [[1, NaN, 3, NaN], 2], [[Infinity, 1, 2, 3, NaN], 5]] as const) {
      expect(() => timeColumn(table([...ts]), 'ts', 'the spine')).toThrow(`the spine column 'ts' row ${row} has no time`);
    }
  });
});

describe('backfill', () => {
  const events = source('events', { timestamp: 'ts', schema: { ts: 'timestamp', user: 'string' } });
  const users = featureView('users', events, { entity: entity('user', { key: 'user' }), features: { n: count({ window: '1h' }) } });
  const project = defineProject({ name: 'times', views: [users] });
  const rows = tableFromRows([{ ts: 1, user: 'a' }, { ts: null, user: 'b' }], { ts: 'timestamp', user: 'string' });

  it('says whose time is missing: the events’ when they are the spine, else the spine’s', () => {
    expect(() => backfill(project, { views: ['users'], events: rows, spine: 'events' })).toThrow("the events of source 'events' column 'ts' row 2 has no time");
    const spine = tableFromRows([{ ts: 5, user: 'a' }], { ts: 'timestamp', user: 'string' });
    expect(() => backfill(project, { views: ['users'], events: rows, spine })).toThrow("the events of source 'events' column 'ts' row 2 has no time");
    expect(() => backfill(project, { views: ['users'], events: spine, spine: rows })).toThrow("the spine column 'ts' row 2 has no time");
  });

  it('reads the events as of another of their times as it reads a spine of their own', async () => {
    // `seen` runs backwards: every row is read after all four events, so each sees them all.
    const types = { ts: 'timestamp', seen: 'timestamp', user: 'string' } as const;
    const events4 = tableFromRows([0, 1, 2, 3].map((i) => ({ ts: 1000 * i, seen: 1000 * (10 - i), user: i === 3 ? 'b' : 'a' })), types);
    const apart = tableFromRows([0, 1, 2, 3].map((i) => ({ ts: 1000 * i, seen: 1000 * (10 - i), user: i === 3 ? 'b' : 'a' })), types);
    const counts = (table: Table): number[] => [...(table.columns.get('n') as { values: Float64Array }).values];
    const want = counts(backfill(project, { views: ['users'], events: events4, spine: apart, spineTimestamp: 'seen' }).table);
    expect(want).toEqual([3, 3, 3, 1]);
    const options = { views: ['users'], events: events4, spine: 'events' as const, spineTimestamp: 'seen' };
    expect(counts(backfill(project, options).table)).toEqual(want);
    expect(counts((await backfillParallel(project, { ...options, threads: 2 })).table)).toEqual(want);
    // As of their own times, each event sees the earlier ones of its user.
    expect(counts(backfill(project, { ...options, spineTimestamp: 'ts' }).table)).toEqual([0, 1, 2, 0]);
  });
});
