import type { DataChunk } from '@duckdb/node-bindings';
import type { Column } from './table.js';

/** Collects one table column from the chunks of a DuckDB result. */
export interface ColumnBuilder {
  /** Appends the chunk's first `rows` rows, which are table rows `offset` to `offset + rows - 1`. */
  append(chunk: DataChunk, rows: number, offset: number): void;
  /** The finished column, exactly `length` rows long. */
  finish(length: number): Column;
}

/** Room for this many rows when the row count is not known up front; it doubles as needed. */
export const DEFAULT_CAPACITY = 1 << 16;
