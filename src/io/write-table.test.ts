import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuckDB } from './duckdb-session.js';
import type { FileFormat } from './file-format.js';
import { readTable } from './read-table.js';
import { sqlString } from './sql-text.js';
import type { Column, Table } from './table.js';
import { tableFromRows } from './table-from-rows.js';
import { tableToRows } from './table-to-rows.js';
import { writeTable } from './write-table.js';
import type { WriteTableOptions } from './write-table.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-write-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPES = { ts: 'timestamp', id: 'string', amount: 'number', ok: 'boolean', note: 'string' } as const;

const ROWS = [
  { ts: Date.UTC(2024, 0, 15, 10, 30, 0, 123), id: '007', amount: 12.5, ok: true, note: 'plain' },
  { ts: Date.UTC(1969, 11, 31, 23, 59, 59, 999), id: 'b', amount: -0.1, ok: false, note: 'comma, "quotes"\nand a newline' },
  { ts: null, id: null, amount: null, ok: null, note: null },
  { ts: Date.UTC(2100, 5, 1), id: '007', amount: 1e-300, ok: true, note: '' },
  { ts: 0, id: 'ключ 😀', amount: 123456789.123456, ok: false, note: '  padded  ' },
];

const FORMATS: readonly [string, WriteTableOptions][] = [
  ['events.csv', {}],
  ['events.csv.gz', {}],
  ['events.ndjson', {}],
  ['events.jsonl.gz', { format: 'ndjson' }],
  ['events-snappy.parquet', {}],
  ['events-zstd.parquet', { compression: 'zstd' }],
  ['events-plain.pq', { compression: 'uncompressed' }],
];

async function describeParquet(path: string): Promise<Record<string, string>> {
  return withDuckDB(async (connection) => {
    const result = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    return Object.fromEntries(result.getRows().map(([name, type]) => [String(name), String(type)]));
  });
}

describe('writeTable then readTable', () => {
  it.each(FORMATS)('round-trips values, nulls, ms timestamps, awkward strings and booleans through %s', async (name, options) => {
    const path = join(dir, name);
    await writeTable(tableFromRows(ROWS, TYPES), path, options);
    const back = await readTable(path, { types: TYPES, ...(options.format === undefined ? {} : { format: options.format }) });
    expect(tableToRows(back)).toEqual(ROWS);
  });

  it('writes Parquet columns as TIMESTAMP, VARCHAR, DOUBLE and BOOLEAN', async () => {
    const path = join(dir, 'schema.parquet');
    await writeTable(tableFromRows(ROWS, TYPES), path);
    expect(await describeParquet(path)).toEqual({ ts: 'TIMESTAMP', id: 'VARCHAR', amount: 'DOUBLE', ok: 'BOOLEAN', note: 'VARCHAR' });
  });

  it('writes CSV with a header, ISO 8601 UTC milliseconds and empty fields for null', async () => {
    const path = join(dir, 'plain.csv');
    await writeTable(tableFromRows(ROWS.slice(0, 3), TYPES), path);
    expect(readFileSync(path, 'utf8')).toBe(
      'ts,id,amount,ok,note\n' +
        '2024-01-15T10:30:00.123Z,007,12.5,true,plain\n' +
        '1969-12-31T23:59:59.999Z,b,-0.1,false,"comma, ""quotes""\nand a newline"\n' +
        ',,,,\n',
    );
  });

  it('writes NDJSON with ISO timestamps, nulls and arrays as arrays', async () => {
    const path = join(dir, 'lines.ndjson');
    const table = tableFromRows([{ ts: Date.UTC(2024, 0, 15), last: [1.5, 2], n: 3 }, { ts: null, last: null, n: Infinity }], { ts: 'timestamp' });
    await writeTable(table, path);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { ts: '2024-01-15T00:00:00.000Z', last: [1.5, 2], n: 3 },
      { ts: null, last: null, n: null },
    ]);
  });

  it('writes json columns as a Parquet LIST when every value is an array of one scalar type, else as JSON text', async () => {
    const path = join(dir, 'json.parquet');
    const rows = [
      { nums: [1.5, null], words: ['a', 'b,c'], flags: [true], mixed: [1, 'a'], objects: { k: 1 } },
      { nums: [], words: null, flags: [], mixed: null, objects: null },
    ];
    const types = { nums: 'json', words: 'json', flags: 'json', mixed: 'json', objects: 'json' } as const;
    await writeTable(tableFromRows(rows, types), path);
    expect(await describeParquet(path)).toEqual({ nums: 'DOUBLE[]', words: 'VARCHAR[]', flags: 'BOOLEAN[]', mixed: 'VARCHAR', objects: 'VARCHAR' });
    const back = tableToRows(await readTable(path));
    expect(back).toEqual([
      { nums: [1.5, null], words: ['a', 'b,c'], flags: [true], mixed: '[1,"a"]', objects: '{"k":1}' },
      { nums: [], words: null, flags: [], mixed: null, objects: null },
    ]);
  });

  it('writes json columns as JSON text in CSV', async () => {
    const path = join(dir, 'json.csv');
    await writeTable(tableFromRows([{ last: [1, 2] }, { last: null }], { last: 'json' }), path);
    expect(readFileSync(path, 'utf8')).toBe('last\n"[1,2]"\n\n');
  });

  it('writes column names that need quoting and a table with no rows', async () => {
    const path = join(dir, 'names.parquet');
    const table = tableFromRows([{ 'user id': 'a', 'say "hi"': 1 }]);
    await writeTable(table, path);
    expect(tableToRows(await readTable(path))).toEqual([{ 'user id': 'a', 'say "hi"': 1 }]);
    const empty = join(dir, 'empty.csv');
    await writeTable(tableFromRows([], { ts: 'timestamp', n: 'number' }), empty);
    expect(readFileSync(empty, 'utf8')).toBe('ts,n\n');
    expect((await readTable(empty, { types: { ts: 'timestamp', n: 'number' } })).length).toBe(0);
  });

  it('shares one dictionary entry among repeated dictionary strings', async () => {
    const path = join(dir, 'repeated.parquet');
    const id: Column = { type: 'string', codes: Int32Array.from([0, 1, 2, -1]), dictionary: ['a', 'b', 'a'] };
    await writeTable({ length: 4, columns: new Map([['id', id]]) }, path);
    expect(tableToRows(await readTable(path))).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: null }]);
  });

  it('writes many rows across chunks', async () => {
    const length = 10_000;
    const values = Float64Array.from({ length }, (_, i) => (i % 10 === 0 ? NaN : i / 4));
    const codes = Int32Array.from({ length }, (_, i) => (i % 7 === 0 ? -1 : i % 300));
    const dictionary = Array.from({ length: 300 }, (_, i) => `key-${i}-${'x'.repeat(i % 40)}`);
    const table: Table = { length, columns: new Map<string, Column>([['v', { type: 'number', values }], ['k', { type: 'string', codes, dictionary }]]) };
    for (const name of ['many.parquet', 'many.csv']) {
      const path = join(dir, name);
      await writeTable(table, path);
      expect(tableToRows(await readTable(path, { types: { v: 'number', k: 'string' } }))).toEqual(tableToRows(table));
    }
  });

  it('writes columns over shared memory (backfill outputs filled by worker threads)', async () => {
    const length = 5_000;
    const values = new Float64Array(new SharedArrayBuffer(8 * length));
    for (let i = 0; i < length; i++) values[i] = i % 9 === 0 ? NaN : i / 8;
    const table: Table = { length, columns: new Map<string, Column>([['v', { type: 'number', values }]]) };
    const path = join(dir, 'shared.parquet');
    await writeTable(table, path);
    expect(tableToRows(await readTable(path, { types: { v: 'number' } }))).toEqual(tableToRows(table));
  });
});

describe('writeTable safety', () => {
  it('leaves no temporary file behind', async () => {
    const sub = mkdtempSync(join(dir, 'clean-'));
    await writeTable(tableFromRows(ROWS, TYPES), join(sub, 'out.parquet'));
    expect(readdirSync(sub)).toEqual(['out.parquet']);
  });

  it('keeps the old file and removes the temporary one when a write fails', async () => {
    const sub = mkdtempSync(join(dir, 'failed-'));
    const path = join(sub, 'out.csv');
    writeFileSync(path, 'old\n');
    const bad = tableFromRows([{ ts: 1 }, { ts: Infinity }], { ts: 'number' });
    const badTable: Table = { length: 2, columns: new Map([['ts', { type: 'timestamp', values: (bad.columns.get('ts') as { values: Float64Array }).values }]]) };
    await expect(writeTable(badTable, path)).rejects.toMatchObject({ code: 'TANDEM_FILE_FORMAT', message: expect.stringContaining(`${path}: cannot be written as csv`) });
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(sub)).toEqual(['out.csv']);
  });

  it('rejects a column whose length differs from the table, and a code outside the dictionary', async () => {
    const path = join(dir, 'never.csv');
    const short: Table = { length: 2, columns: new Map([['n', { type: 'number', values: new Float64Array(1) }]]) };
    await expect(writeTable(short, path)).rejects.toThrow("column 'n' has 1 values but the table has 2 rows");
    const stray: Table = { length: 1, columns: new Map([['s', { type: 'string', codes: Int32Array.from([3]), dictionary: ['a'] }]]) };
    await expect(writeTable(stray, path)).rejects.toThrow("column 's' row 1: code 3 is outside its dictionary of 1");
  });

  it('rejects an unknown format, compression or an empty column list before writing anything', async () => {
    const path = join(dir, 'out.xlsx');
    await expect(writeTable(tableFromRows(ROWS), path)).rejects.toMatchObject({ code: 'TANDEM_FILE_FORMAT' });
    await expect(writeTable(tableFromRows(ROWS), path, { format: 'xlsx' as never })).rejects.toThrow(
      `${path}: unknown file format 'xlsx'; use csv, ndjson, parquet`,
    );
    await expect(writeTable(tableFromRows(ROWS), join(dir, 'out.parquet'), { compression: 'lz4' as never })).rejects.toMatchObject({
      code: 'TANDEM_USAGE',
      message: "unknown Parquet compression 'lz4'; use snappy, zstd, uncompressed",
    });
    await expect(writeTable({ length: 0, columns: new Map() }, join(dir, 'none.csv'))).rejects.toThrow('a table with no columns cannot be written');
    expect(readdirSync(dir).filter((name) => name.startsWith('out.') || name.startsWith('none.'))).toEqual([]);
  });
});

describe('round trips of random tables', () => {
  const number = fc.option(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
    { nil: null },
  );
  const text = fc.option(
    fc.oneof(fc.string({ unit: 'grapheme', maxLength: 50 }), fc.constantFrom('', ' ', 'a,b', '"q"', 'line\nbreak', 'tab\there', '007', 'null', 'NaN', 'true')),
    { nil: null },
  );
  const time = fc.option(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), { nil: null });
  const flag = fc.option(fc.boolean(), { nil: null });
  const row = fc.record({ t: time, n: number, s: text, b: flag });
  const types = { t: 'timestamp', n: 'number', s: 'string', b: 'boolean' } as const;

  it.each<[FileFormat, string]>([
    ['csv', 'random.csv'],
    ['ndjson', 'random.ndjson'],
    ['parquet', 'random.parquet'],
  ])('preserves every value through %s', async (_format, name) => {
    const path = join(dir, name);
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), async (rows) => {
        await writeTable(tableFromRows(rows, types), path);
        expect(tableToRows(await readTable(path, { types }))).toEqual(rows);
      }),
      { numRuns: Number(process.env['TANDEM_IO_RUNS'] ?? 30) },
    );
  });
});
