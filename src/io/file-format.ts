import { TandemError } from '../errors.js';

/** The file formats tables are read from and written to. */
export const FILE_FORMATS = ['csv', 'ndjson', 'parquet'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

const FORMAT_BY_EXTENSION: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

/** True when the file is gzip-compressed text (`events.csv.gz`). */
export function isGzipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}

/**
 * The format a path's extension names: .csv, .ndjson/.jsonl (one JSON object per line) and
 * .parquet/.pq; CSV and NDJSON may also end in .gz.
 */
export function formatFromPath(path: string): FileFormat {
  const gzip = isGzipPath(path);
  const name = (gzip ? path.slice(0, -'.gz'.length) : path).toLowerCase();
  const dot = name.lastIndexOf('.');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const format = dot > slash ? FORMAT_BY_EXTENSION[name.slice(dot)] : undefined;
  if (format === undefined || (gzip && format === 'parquet')) {
    throw new TandemError(
      'TANDEM_FILE_FORMAT',
      `${path}: unknown file format; use a .csv, .ndjson, .jsonl, .parquet or .pq file (.csv.gz and .ndjson.gz also work), or pass the format explicitly`,
      { details: { path } },
    );
  }
  return format;
}

/** The format a caller named (checked, since JS callers and CLIs pass any string), else the path's. */
export function resolveFormat(path: string, format: FileFormat | undefined): FileFormat {
  if (format === undefined) return formatFromPath(path);
  if (!(FILE_FORMATS as readonly string[]).includes(format)) {
    throw new TandemError('TANDEM_FILE_FORMAT', `${path}: unknown file format '${String(format)}'; use ${FILE_FORMATS.join(', ')}`, {
      details: { path, format },
    });
  }
  return format;
}
