import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import type { FileFormat } from './file-format.js';
import { sqlIdentifier, sqlString } from './sql-text.js';

/** A column as DuckDB reads it from a file. */
export interface FileColumn {
  readonly name: string;
  readonly type: DuckDBType;
}

/** The columns DuckDB detects in a file, in file order, without reading its rows. */
export async function describeFile(connection: DuckDBConnection, path: string, format: FileFormat): Promise<FileColumn[]> {
  const result = await connection.run(`SELECT * FROM ${fileScanSql(path, format)} LIMIT 0`);
  return result.columnNames().map((name, i) => ({ name, type: result.columnType(i) }));
}

/**
 * The table function that reads the file. Columns named in `asText` are read as VARCHAR from
 * CSV and NDJSON, so the caller converts them itself: type detection would otherwise turn the
 * id `007` into 7 or reformat an ISO timestamp. NDJSON needs `columns`, the detected columns,
 * because read_json only takes types for all columns at once.
 */
export function fileScanSql(
  path: string,
  format: FileFormat,
  asText: ReadonlySet<string> = new Set(),
  columns: readonly FileColumn[] = [],
): string {
  const file = sqlString(path);
  switch (format) {
    case 'parquet':
      return `read_parquet(${file})`;
    case 'csv': {
      // A header is required; `""` is an empty string and only an empty field is null.
      const types = [...asText].map((name) => `${sqlString(name)}: 'VARCHAR'`);
      const typeOption = types.length === 0 ? '' : `, types = {${types.join(', ')}}`;
      return `read_csv(${file}, header = true, allow_quoted_nulls = false${typeOption})`;
    }
    case 'ndjson': {
      if (asText.size === 0) return `read_json(${file}, format = 'newline_delimited')`;
      const types = columns.map(
        ({ name, type }) => `${sqlString(name)}: ${sqlString(asText.has(name) ? 'VARCHAR' : (type.alias ?? type.toString()))}`,
      );
      return `read_json(${file}, format = 'newline_delimited', columns = {${types.join(', ')}})`;
    }
  }
}

/** `SELECT` list items: the expressions under positional names, which never clash. */
export function selectList(expressions: readonly string[]): string {
  return expressions.map((expression, i) => `${expression} AS ${sqlIdentifier(`c${i}`)}`).join(', ');
}
