import { stat } from 'node:fs/promises';
import { DuckDBTypeId, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { TandemError } from '../errors.js';
import { builderFor } from './builder-for-plan.js';
import { planColumn, readsWithoutText } from './column-plan.js';
import type { ColumnPlan, ReadColumnType } from './column-plan.js';
import { DEFAULT_CAPACITY } from './column-builder.js';
import { withDuckDB } from './duckdb-session.js';
import { fileNotFound, missingColumn, unreadableFile } from './file-errors.js';
import { resolveFormat } from './file-format.js';
import type { FileFormat } from './file-format.js';
import { describeFile, fileScanSql, selectList } from './file-scan.js';
import type { FileColumn } from './file-scan.js';
import type { Column, Table } from './table.js';

export interface ReadTableOptions {
  /** @default the format the path's extension names */
  readonly format?: FileFormat;
  /**
   * Columns to read as a given type, which must exist. Timestamps accept ISO 8601 text (without
   * a zone meaning UTC), epoch milliseconds, and date or timestamp columns of any unit; numbers
   * accept any numeric type or numeric text; booleans true/false or 1/0; strings anything.
   * Other columns keep the type DuckDB detects.
   */
  readonly types?: Readonly<Record<string, ReadColumnType>>;
  /** Columns that must exist, whatever their type. */
  readonly required?: readonly string[];
}

/** Reads every column of a CSV, NDJSON or Parquet file, in file order. */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Table> {
  const format = resolveFormat(path, options.format);
  await assertFileExists(path);
  const types = options.types ?? {};
  return withDuckDB(async (connection) => {
    const columns = await attempt(path, format, () => describeFile(connection, path, format));
    assertColumnsPresent(path, columns, [...(options.required ?? []), ...Object.keys(types)]);
    const requested = (name: string): ReadColumnType | undefined => (Object.hasOwn(types, name) ? types[name] : undefined);
    const read = (asText: ReadonlySet<string>): Promise<Table> => {
      // Columns read as text (see fileScanSql) are planned, and converted, from that text.
      const plans = columns.map((column) =>
        planColumn(asText.has(column.name) ? { name: column.name, type: VARCHAR } : column, requested(column.name)),
      );
      return readPlanned(connection, path, format, plans, fileScanSql(path, format, asText, columns));
    };
    if (format === 'parquet') return read(new Set());
    const typed = columns.filter((column) => requested(column.name) !== undefined);
    const allAsText = new Set(typed.map((column) => column.name));
    // Detected types parse faster than text conversions (timestamps especially), but detection
    // samples the file: when a later row breaks the detected type, read those columns as text,
    // which also finds the row to report.
    const mismatched = new Set(
      typed
        .filter((column) => !readsWithoutText(column.type, requested(column.name)!) || nullsBadValues(format, column))
        .map((column) => column.name),
    );
    if (mismatched.size === allAsText.size) return read(allAsText);
    try {
      return await read(mismatched);
    } catch (error) {
      if (error instanceof TandemError && error.code === 'TANDEM_FILE_COLUMN') throw error;
      return read(allAsText);
    }
  });
}

/**
 * DuckDB's CSV reader turns text that does not parse as a detected TIMESTAMP WITH TIME ZONE into
 * null instead of failing (other detected types fail), so such columns must be read as text to
 * catch bad values.
 */
function nullsBadValues(format: FileFormat, column: FileColumn): boolean {
  return format === 'csv' && column.type.typeId === DuckDBTypeId.TIMESTAMP_TZ;
}

async function readPlanned(
  connection: DuckDBConnection,
  path: string,
  format: FileFormat,
  plans: readonly ColumnPlan[],
  scan: string,
): Promise<Table> {
  const capacity = format === 'parquet' ? await attempt(path, format, () => parquetRowCount(connection, path)) : DEFAULT_CAPACITY;
  const select: string[] = [];
  const builders = plans.map((plan) => builderFor(plan, select, { path, capacity }));
  // Materialized, not streamed: a streaming result whose parallel scan fails (a CSV value that
  // breaks the detected type) just ends early, and the bindings offer no way to see the error.
  const result: DuckDBResult = await attempt(path, format, () => connection.run(`SELECT ${selectList(select)} FROM ${scan}`));
  let length = 0;
  for (;;) {
    const chunk = await attempt(path, format, () => result.fetchChunk());
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    for (const builder of builders) builder.append(chunk.chunk, rows, length);
    length += rows;
  }
  const table = new Map<string, Column>();
  plans.forEach((plan, i) => table.set(plan.name, builders[i]!.finish(length)));
  return { length, columns: table };
}

/** Parquet footers hold the row count, so columns can be allocated once at their final size. */
async function parquetRowCount(connection: DuckDBConnection, path: string): Promise<number> {
  const result = await connection.runAndReadAll(`SELECT count(*) FROM ${fileScanSql(path, 'parquet')}`);
  return Number(result.getRows()[0]![0]);
}

function assertColumnsPresent(path: string, columns: readonly FileColumn[], needed: readonly string[]): void {
  const present = columns.map((c) => c.name);
  const names = new Set(present);
  for (const name of needed) {
    if (!names.has(name)) throw missingColumn(path, name, present);
  }
}

async function assertFileExists(path: string): Promise<void> {
  try {
    await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw fileNotFound(path);
    throw error;
  }
}

/** Runs a DuckDB step, reporting its failure as an unreadable file. */
async function attempt<T>(path: string, format: FileFormat, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof TandemError) throw error;
    throw unreadableFile(path, format, error);
  }
}
