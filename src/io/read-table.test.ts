import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuckDB } from './duckdb-session.js';
import { readTable } from './read-table.js';
import { sqlString } from './sql-text.js';
import { tableToRows } from './table-to-rows.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-read-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Writes a file with DuckDB itself: `COPY (query) TO path (options)`. */
async function duckdbFile(name: string, query: string, options: string): Promise<string> {
  const path = join(dir, name);
  await withDuckDB((connection) => connection.run(`COPY (${query}) TO ${sqlString(path)} (${options})`));
  return path;
}

const T = Date.UTC(2024, 0, 15, 10, 30);

describe('readTable', () => {
  it('reads every column in file order with the types DuckDB detects', async () => {
    const path = file('detected.csv', 'ts,user,amount,ok\n2024-01-15T10:30:00Z,ann,12.5,true\n2024-01-15T10:30:01.250Z,bob,,false\n');
    const table = await readTable(path);
    expect([...table.columns].map(([name, column]) => [name, column.type])).toEqual([
      ['ts', 'timestamp'],
      ['user', 'string'],
      ['amount', 'number'],
      ['ok', 'boolean'],
    ]);
    expect(tableToRows(table)).toEqual([
      { ts: T, user: 'ann', amount: 12.5, ok: true },
      { ts: T + 1250, user: 'bob', amount: null, ok: false },
    ]);
  });

  it('keeps an id like 007 a string when it is typed string', async () => {
    const csv = file('ids.csv', 'id,n\n007,1\n010,2\n');
    const ndjson = file('ids.ndjson', '{"id":"007","n":1}\n{"id":10,"n":2}\n');
    expect(tableToRows(await readTable(csv, { types: { id: 'string' } }))).toEqual([
      { id: '007', n: 1 },
      { id: '010', n: 2 },
    ]);
    expect(tableToRows(await readTable(ndjson, { types: { id: 'string' } }))).toEqual([
      { id: '007', n: 1 },
      { id: '10', n: 2 },
    ]);
  });

  it('keeps ISO text as written when a timestamp-looking column is typed string', async () => {
    const path = file('iso-text.ndjson', '{"at":"2024-01-15T10:30:00.000Z"}\n');
    expect(tableToRows(await readTable(path, { types: { at: 'string' } }))).toEqual([{ at: '2024-01-15T10:30:00.000Z' }]);
  });

  it('parses timestamps from ISO 8601 text of every form and from epoch milliseconds', async () => {
    const texts = [
      '2024-01-15T10:30:00Z',
      '2024-01-15T12:30:00+02:00',
      '2024-01-15T10:30:00',
      '2024-01-15 10:30:00.000',
      '2024-01-15T10:30Z',
      '1705314600000',
      '2024-01-15T10:30:00.1239Z',
    ];
    const path = file('times.csv', `ts\n${texts.join('\n')}\n`);
    const table = await readTable(path, { types: { ts: 'timestamp' } });
    expect(tableToRows(table).map((row) => row['ts'])).toEqual([T, T, T, T, T, T, T + 123]);
    const dates = await readTable(file('dates.csv', 'day\n2024-01-15\n2024-01-16\n'), { types: { day: 'timestamp' } });
    expect(tableToRows(dates)).toEqual([{ day: Date.UTC(2024, 0, 15) }, { day: Date.UTC(2024, 0, 16) }]);
  });

  it('parses NDJSON timestamps given as text or as epoch-millisecond numbers', async () => {
    const path = file('times.ndjson', '{"ts":"2024-01-15T10:30:00Z"}\n{"ts":1705314600000}\n{"ts":null}\n');
    expect(tableToRows(await readTable(path, { types: { ts: 'timestamp' } }))).toEqual([{ ts: T }, { ts: T }, { ts: null }]);
  });

  it('reads Parquet TIMESTAMP, TIMESTAMPTZ, TIMESTAMP_NS and DATE columns written by DuckDB as epoch milliseconds', async () => {
    const path = await duckdbFile(
      'duckdb-times.parquet',
      `SELECT TIMESTAMP '2024-01-15 10:30:00.123456' AS us, TIMESTAMPTZ '2024-01-15 12:30:00.123+02:00' AS tz,
              TIMESTAMP_NS '1969-12-31 23:59:59.999999999' AS ns, DATE '2024-01-15' AS day,
              TIMESTAMP_MS '2024-01-15 10:30:00.123' AS ms, 12.34::DECIMAL(10, 2) AS price, 9007199254740993::BIGINT AS big`,
      'FORMAT parquet, COMPRESSION zstd',
    );
    const table = await readTable(path, { types: { us: 'timestamp', tz: 'timestamp', price: 'number' } });
    expect([...table.columns.values()].map((c) => c.type)).toEqual(['timestamp', 'timestamp', 'timestamp', 'timestamp', 'timestamp', 'number', 'number']);
    expect(tableToRows(table)).toEqual([
      { us: T + 123, tz: T + 123, ns: -1, day: Date.UTC(2024, 0, 15), ms: T + 123, price: 12.34, big: 9007199254740992 },
    ]);
  });

  it('reads booleans from true/false and 1/0, and numbers from numeric text', async () => {
    const path = file('mixed.csv', 'a,b,n\ntrue,1,1e3\nFALSE,0, 2.5 \n,,\n');
    expect(tableToRows(await readTable(path, { types: { a: 'boolean', b: 'boolean', n: 'number' } }))).toEqual([
      { a: true, b: true, n: 1000 },
      { a: false, b: false, n: 2.5 },
      { a: null, b: null, n: null },
    ]);
  });

  it('reads empty CSV fields and JSON nulls as null, and a quoted empty field as an empty string', async () => {
    const csv = await readTable(file('nulls.csv', 's,n\n"",1\n,\n'), { types: { s: 'string', n: 'number' } });
    expect(tableToRows(csv)).toEqual([
      { s: '', n: 1 },
      { s: null, n: null },
    ]);
    const ndjson = await readTable(file('nulls.ndjson', '{"s":null,"n":null}\n{"s":"x","n":2}\n'));
    expect(tableToRows(ndjson)).toEqual([
      { s: null, n: null },
      { s: 'x', n: 2 },
    ]);
  });

  it('reads lists and structs as json values', async () => {
    const path = file('nested.ndjson', '{"last":[1.5,2],"meta":{"k":"v"}}\n{"last":null,"meta":null}\n');
    const table = await readTable(path);
    expect([...table.columns.values()].map((c) => c.type)).toEqual(['json', 'json']);
    expect(tableToRows(table)).toEqual([
      { last: [1.5, 2], meta: { k: 'v' } },
      { last: null, meta: null },
    ]);
  });

  it('dictionary-encodes many distinct, long and non-ASCII strings across many chunks', async () => {
    const path = await duckdbFile(
      'strings.parquet',
      `SELECT i, CASE i % 4 WHEN 0 THEN 'k' || (i % 3000) WHEN 1 THEN 'a-rather-long-key-' || (i % 3000)
              WHEN 2 THEN 'much-longer-than-thirty-six-characters-' || (i % 3000) ELSE 'ключ-😀-' || (i % 3000) END AS s,
              CASE WHEN i % 7 = 0 THEN NULL ELSE 'x' END AS sparse
       FROM range(100000) t(i)`,
      'FORMAT parquet',
    );
    const table = await readTable(path);
    const s = table.columns.get('s');
    expect(table.length).toBe(100_000);
    expect(s?.type === 'string' && new Set(s.dictionary).size).toBe(s?.type === 'string' && s.dictionary.length);
    const rows = tableToRows(table);
    expect(rows[99_999]).toEqual({ i: 99_999, s: `ключ-😀-${99_999 % 3000}`, sparse: 'x' });
    expect(rows[6002]).toEqual({ i: 6002, s: 'much-longer-than-thirty-six-characters-2', sparse: 'x' });
    expect(rows[70_001]).toEqual({ i: 70_001, s: 'a-rather-long-key-1001', sparse: 'x' });
    expect(rows[70_000]).toEqual({ i: 70_000, s: 'k1000', sparse: null });
    expect(s?.type === 'string' && s.dictionary.length).toBe(3000);
  });

  it('reads a CSV longer than its first allocation', async () => {
    const path = await duckdbFile('long.csv', 'SELECT i, i * 0.5 AS half FROM range(70000) t(i)', 'FORMAT csv, HEADER true');
    const table = await readTable(path, { types: { i: 'number' } });
    const half = table.columns.get('half');
    expect(table.length).toBe(70_000);
    expect(half?.type === 'number' && half.values.length).toBe(70_000);
    expect(half?.type === 'number' && half.values[69_999]).toBe(34_999.5);
  });
});

describe('readTable errors', () => {
  it('names a missing file', async () => {
    const path = join(dir, 'absent.csv');
    await expect(readTable(path)).rejects.toMatchObject({ code: 'TANDEM_FILE_FORMAT', message: `${path}: file not found` });
  });

  it('names an unknown format', async () => {
    await expect(readTable(file('events.txt', 'a\n1\n'))).rejects.toMatchObject({
      code: 'TANDEM_FILE_FORMAT',
      message: expect.stringContaining('events.txt: unknown file format'),
    });
  });

  it('names a file that does not parse as its format', async () => {
    const path = file('broken.parquet', 'not parquet at all');
    await expect(readTable(path)).rejects.toMatchObject({
      code: 'TANDEM_FILE_FORMAT',
      message: expect.stringMatching(new RegExp(`^${escape(path)}: cannot be read as parquet: `)),
    });
  });

  it('names a missing required or typed column and lists the columns present', async () => {
    const path = file('cols.csv', 'ts,id\n1,a\n');
    await expect(readTable(path, { required: ['user'] })).rejects.toMatchObject({
      code: 'TANDEM_FILE_COLUMN',
      message: `${path}: no column 'user'; the columns are: ts, id`,
    });
    await expect(readTable(path, { types: { amount: 'number' } })).rejects.toThrow(`${path}: no column 'amount'`);
  });

  it('names the column, the 1-based row and the value that is not a timestamp', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => (i === 16 ? 'yesterday' : `2024-01-15T10:${String(i).padStart(2, '0')}:00Z`));
    const path = file('events.csv', `ts\n${lines.join('\n')}\n`);
    await expect(readTable(path, { types: { ts: 'timestamp' } })).rejects.toMatchObject({
      code: 'TANDEM_FILE_COLUMN',
      message: `${path}: column 'ts' row 17: 'yesterday' is not a timestamp (ISO 8601 or epoch milliseconds)`,
    });
  });

  it('finds a bad value beyond the rows DuckDB samples to detect types', async () => {
    const times = await duckdbFile(
      'late-times.csv',
      `SELECT CASE WHEN i = 30000 THEN 'later' ELSE strftime(TIMESTAMP '2024-01-15' + to_seconds(i), '%Y-%m-%dT%H:%M:%SZ') END AS ts
       FROM range(50000) t(i)`,
      'FORMAT csv, HEADER true',
    );
    await expect(readTable(times, { types: { ts: 'timestamp' } })).rejects.toThrow(`${times}: column 'ts' row 30001: 'later' is not a timestamp`);
    const numbers = await duckdbFile(
      'late-numbers.csv',
      `SELECT CASE WHEN i = 40000 THEN 'n/a' ELSE CAST(i AS VARCHAR) END AS n FROM range(50000) t(i)`,
      'FORMAT csv, HEADER true',
    );
    await expect(readTable(numbers, { types: { n: 'number' } })).rejects.toThrow(`${numbers}: column 'n' row 40001: 'n/a' is not a number`);
  });

  it('finds a late bad NDJSON timestamp that detection read as TIMESTAMP', async () => {
    const path = await duckdbFile(
      'late-times.ndjson',
      `SELECT CASE WHEN i = 30000 THEN 'later' ELSE strftime(TIMESTAMP '2024-01-15' + to_seconds(i), '%Y-%m-%dT%H:%M:%SZ') END AS ts
       FROM range(50000) t(i)`,
      'FORMAT json',
    );
    await expect(readTable(path, { types: { ts: 'timestamp' } })).rejects.toThrow(`${path}: column 'ts' row 30001: 'later' is not a timestamp`);
  });

  it('reports a late value that breaks an untyped column with DuckDB\'s account of it', async () => {
    const path = await duckdbFile(
      'late-untyped.csv',
      `SELECT i AS id, CASE WHEN i = 40000 THEN 'n/a' ELSE CAST(i AS VARCHAR) END AS n FROM range(50000) t(i)`,
      'FORMAT csv, HEADER true',
    );
    await expect(readTable(path, { types: { id: 'number' } })).rejects.toMatchObject({
      code: 'TANDEM_FILE_FORMAT',
      message: expect.stringContaining(`${path}: cannot be read as csv: Conversion Error: CSV Error on Line: 40002`),
    });
  });

  it('names a Parquet text value that is not a number', async () => {
    const path = await duckdbFile('text.parquet', `SELECT * FROM (VALUES ('1'), ('2.5'), ('lots')) t(n)`, 'FORMAT parquet');
    await expect(readTable(path, { types: { n: 'number' } })).rejects.toMatchObject({
      code: 'TANDEM_FILE_COLUMN',
      message: `${path}: column 'n' row 3: 'lots' is not a number`,
    });
  });

  it('names an NDJSON value that is not a boolean', async () => {
    const path = file('flags.ndjson', '{"ok":true}\n{"ok":"maybe"}\n');
    await expect(readTable(path, { types: { ok: 'boolean' } })).rejects.toThrow(
      `${path}: column 'ok' row 2: 'maybe' is not a boolean (true/false or 1/0)`,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
