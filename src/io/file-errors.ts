import { quote, TandemError } from '../errors.js';
import type { FileFormat } from './file-format.js';

/** What a value failed to be, as the end of `'x' is not ...`. */
export const EXPECTED_VALUE = {
  timestamp: 'a timestamp (ISO 8601 or epoch milliseconds)',
  number: 'a number',
  boolean: 'a boolean (true/false or 1/0)',
} as const;

export function fileNotFound(path: string): TandemError {
  return new TandemError('TANDEM_FILE_FORMAT', `${path}: file not found`, { details: { path } });
}

export function unreadableFile(path: string, format: FileFormat, cause: unknown): TandemError {
  return new TandemError('TANDEM_FILE_FORMAT', `${path}: cannot be read as ${format}: ${duckdbReason(cause)}`, {
    cause,
    details: { path, format },
  });
}

export function unwritableFile(path: string, format: FileFormat, cause: unknown): TandemError {
  return new TandemError('TANDEM_FILE_FORMAT', `${path}: cannot be written as ${format}: ${duckdbReason(cause)}`, {
    cause,
    details: { path, format },
  });
}

export function missingColumn(path: string, column: string, present: readonly string[]): TandemError {
  const columns = present.length === 0 ? 'none' : present.join(', ');
  return new TandemError('TANDEM_FILE_COLUMN', `${path}: no column '${column}'; the columns are: ${columns}`, {
    details: { path, column, columns: present },
  });
}

/** `row` is the 1-based data row (a header does not count); `path` is absent for in-memory rows. */
export function badValue(
  path: string | undefined,
  column: string,
  row: number,
  value: unknown,
  expected: keyof typeof EXPECTED_VALUE,
): TandemError {
  const where = path === undefined ? '' : `${path}: `;
  return new TandemError('TANDEM_FILE_COLUMN', `${where}column '${column}' row ${row}: ${quote(value)} is not ${EXPECTED_VALUE[expected]}`, {
    details: { ...(path === undefined ? {} : { path }), column, row, value },
  });
}

/** DuckDB's message without its SQL excerpt (`LINE 1: ...`), which names our query, not the file. */
function duckdbReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n\nLINE ')[0]!.trim();
}
