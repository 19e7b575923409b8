/**
 * Columnar tables: the shape events, spines and training sets take between files and the engine.
 * Numbers, timestamps (epoch ms) and booleans (1/0) live in Float64Arrays with NaN for null;
 * strings are dictionary-encoded with code -1 for null; `json` holds arbitrary values
 * (lastK arrays) one per row.
 */
export type Column =
  | { readonly type: 'number'; readonly values: Float64Array }
  | { readonly type: 'timestamp'; readonly values: Float64Array }
  | { readonly type: 'boolean'; readonly values: Float64Array }
  | { readonly type: 'string'; readonly codes: Int32Array; readonly dictionary: readonly string[] }
  | { readonly type: 'json'; readonly values: readonly unknown[] };

export type ColumnType = Column['type'];

export interface Table {
  readonly length: number;
  /** Columns in output order. */
  readonly columns: ReadonlyMap<string, Column>;
}
