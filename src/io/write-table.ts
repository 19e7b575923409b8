import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TandemError } from '../errors.js';
import { writeAtomically } from './atomic-write.js';
import { withDuckDB } from './duckdb-session.js';
import { unwritableFile } from './file-errors.js';
import { isGzipPath, resolveFormat } from './file-format.js';
import type { FileFormat } from './file-format.js';
import { jsonColumnShape } from './json-column-shape.js';
import type { JsonColumnShape } from './json-column-shape.js';
import { sqlIdentifier, sqlString } from './sql-text.js';
import { registerTableScan } from './table-scan-function.js';
import type { ScanColumn } from './table-scan-function.js';
import type { Column, Table } from './table.js';

const PARQUET_COMPRESSIONS: readonly string[] = ['snappy', 'zstd', 'uncompressed'];

export interface WriteTableOptions {
  /** @default the format the path's extension names */
  readonly format?: FileFormat;
  /** Parquet page compression. @default 'snappy' */
  readonly compression?: 'snappy' | 'zstd' | 'uncompressed';
}

const ISO_8601_MS = '%Y-%m-%dT%H:%M:%S.%gZ';
const SCAN = 'tandem_table';

/**
 * Writes a table as CSV (with a header; empty field for null), NDJSON or Parquet. Timestamps
 * are ISO 8601 UTC text with milliseconds in CSV and NDJSON and TIMESTAMP in Parquet; json
 * columns are JSON text in CSV, nested JSON in NDJSON, and in Parquet a LIST when every value
 * is an array of one scalar type, else JSON text. The file appears complete or not at all.
 */
export async function writeTable(table: Table, path: string, options: WriteTableOptions = {}): Promise<void> {
  const format = resolveFormat(path, options.format);
  const compression = options.compression ?? 'snappy';
  if (!PARQUET_COMPRESSIONS.includes(compression)) {
    throw new TandemError('TANDEM_USAGE', `unknown Parquet compression '${String(compression)}'; use ${PARQUET_COMPRESSIONS.join(', ')}`);
  }
  if (table.columns.size === 0) throw new TandemError('TANDEM_FILE_COLUMN', `${path}: a table with no columns cannot be written`);
  const prepared = [...table.columns].map(([name, column]) => prepareColumn(name, column, table.length));
  const select = prepared
    .map(({ name, column, json }, i) => `${outputSql(sqlIdentifier(`c${i}`), column.type, format, json)} AS ${sqlIdentifier(name)}`)
    .join(', ');
  const copyOptions =
    format === 'parquet'
      ? `FORMAT parquet, COMPRESSION ${compression}`
      : `FORMAT ${format === 'csv' ? 'csv, HEADER true' : 'json'}, COMPRESSION ${isGzipPath(path) ? 'gzip' : 'none'}`;
  await mkdir(dirname(path), { recursive: true });
  await writeAtomically(path, (temporaryPath) =>
    withDuckDB(async (connection) => {
      registerTableScan(connection, SCAN, table.length, prepared.map((p) => p.scan));
      try {
        await connection.run(`COPY (SELECT ${select} FROM ${SCAN}()) TO ${sqlString(temporaryPath)} (${copyOptions})`);
      } catch (error) {
        throw unwritableFile(path, format, error);
      }
    }),
  );
}

interface PreparedColumn {
  readonly name: string;
  readonly column: Column;
  readonly scan: ScanColumn;
  readonly json?: JsonColumnShape;
}

/** Checks a column against the table (this is where tables from other code enter a file) and readies its scan. */
function prepareColumn(name: string, column: Column, length: number): PreparedColumn {
  const rows = column.type === 'string' ? column.codes.length : column.values.length;
  if (rows !== length) {
    throw new TandemError('TANDEM_FILE_COLUMN', `column '${name}' has ${rows} values but the table has ${length} rows`, {
      details: { column: name },
    });
  }
  switch (column.type) {
    case 'number':
    case 'timestamp':
    case 'boolean':
      return { name, column, scan: { kind: 'double', values: column.values } };
    case 'string':
      return { name, column, scan: stringScan(name, column) };
    case 'json': {
      const json = jsonColumnShape(name, column.values);
      return { name, column, json, scan: { kind: 'text', textAt: (row) => json.texts[row] ?? null } };
    }
  }
}

/** ENUM members must be unique, so repeated dictionary entries share one member. */
function stringScan(name: string, column: Extract<Column, { type: 'string' }>): ScanColumn {
  const { codes, dictionary } = column;
  for (let row = 0; row < codes.length; row++) {
    const code = codes[row]!;
    if (code < -1 || code >= dictionary.length || !Number.isInteger(code)) {
      throw new TandemError('TANDEM_FILE_COLUMN', `column '${name}' row ${row + 1}: code ${code} is outside its dictionary of ${dictionary.length}`, {
        details: { column: name, row: row + 1 },
      });
    }
  }
  if (dictionary.length === 0) return { kind: 'text', textAt: () => null };
  const memberIndex = new Map<string, number>();
  const memberOfCode = new Int32Array(dictionary.length);
  dictionary.forEach((text, code) => {
    let member = memberIndex.get(text);
    if (member === undefined) memberIndex.set(text, (member = memberIndex.size));
    memberOfCode[code] = member;
  });
  const unique = memberIndex.size === dictionary.length;
  return { kind: 'enum', codes, members: unique ? dictionary : [...memberIndex.keys()], memberOfCode: unique ? null : memberOfCode };
}

/** The SQL that turns scan column `c` into the file's column. */
function outputSql(c: string, type: Column['type'], format: FileFormat, json: JsonColumnShape | undefined): string {
  switch (type) {
    case 'number':
      // JSON has no Infinity; DuckDB would write it bare, making the line unparseable.
      return format === 'ndjson' ? `CASE WHEN isfinite(${c}) THEN ${c} END` : c;
    case 'timestamp': {
      const timestamp = `epoch_ms(CAST(floor(${c}) AS BIGINT))`;
      return format === 'parquet' ? timestamp : `strftime(${timestamp}, ${sqlString(ISO_8601_MS)})`;
    }
    case 'boolean':
      return `CAST(${c} AS BOOLEAN)`;
    case 'string':
      // Parquet takes the ENUM as it is: a dictionary-encoded UTF8 column, written without text.
      return format === 'parquet' ? c : `CAST(${c} AS VARCHAR)`;
    case 'json':
      if (format === 'ndjson') return `CAST(${c} AS JSON)`;
      if (format === 'parquet' && json?.listOf !== undefined) return `CAST(CAST(${c} AS JSON) AS ${json.listOf}[])`;
      return c;
  }
}
