import type { DataChunk } from '@duckdb/node-bindings';
import type { ColumnBuilder } from './column-builder.js';
import type { Column } from './table.js';
import { trimmedFloat64, withCapacityFloat64 } from './typed-array-growth.js';
import { chunkVector, copyDoubles, isValidRow, STRING_BYTES, stringAt, vectorBytes, vectorValidity } from './vector-data.js';

/** How to tell a value SQL could not convert from a null, and what to do about it. */
export interface ValueCheck {
  /** Result column holding the file's own text for this column (null where the file has none). */
  readonly rawColumn: number;
  /** Whether an infinite result also counts as unconverted (timestamps must be finite). */
  readonly finiteOnly: boolean;
  /** The value for a row whose text did not convert, or a thrown error. `row` is 1-based. */
  repair(text: string, row: number): number;
}

/** Number, timestamp and boolean columns, read from DOUBLE results. */
export class DoubleColumnBuilder implements ColumnBuilder {
  readonly #type: 'number' | 'timestamp' | 'boolean';
  readonly #column: number;
  readonly #check: ValueCheck | undefined;
  #values: Float64Array;

  constructor(type: 'number' | 'timestamp' | 'boolean', column: number, capacity: number, check?: ValueCheck) {
    this.#type = type;
    this.#column = column;
    this.#check = check;
    this.#values = new Float64Array(capacity);
  }

  append(chunk: DataChunk, rows: number, offset: number): void {
    this.#values = withCapacityFloat64(this.#values, offset + rows);
    copyDoubles(chunkVector(chunk, this.#column), rows, this.#values, offset);
    if (this.#check !== undefined) this.#checkRows(chunk, rows, offset, this.#check);
  }

  finish(length: number): Column {
    return { type: this.#type, values: trimmedFloat64(this.#values, length) };
  }

  /** A missing value where the file has text means the text did not convert. */
  #checkRows(chunk: DataChunk, rows: number, offset: number, check: ValueCheck): void {
    const values = this.#values;
    let raw: { readonly validity: Uint8Array | null; readonly bytes: Uint8Array } | undefined;
    for (let i = 0; i < rows; i++) {
      const value = values[offset + i]!;
      if (value === value && !(check.finiteOnly && (value === Infinity || value === -Infinity))) continue;
      if (raw === undefined) {
        const vector = chunkVector(chunk, check.rawColumn);
        raw = { validity: vectorValidity(vector, rows), bytes: vectorBytes(vector, rows, STRING_BYTES) };
      }
      if (raw.validity !== null && !isValidRow(raw.validity, i)) continue;
      values[offset + i] = check.repair(stringAt(raw.bytes, i), offset + i + 1);
    }
  }
}
