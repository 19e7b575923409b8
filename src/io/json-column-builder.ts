import type { DataChunk } from '@duckdb/node-bindings';
import type { ColumnBuilder } from './column-builder.js';
import type { Column } from './table.js';
import { chunkVector, isValidRow, STRING_BYTES, stringAt, vectorBytes, vectorValidity } from './vector-data.js';

/** Lists, structs and mixed JSON values, read as JSON text and parsed row by row. */
export class JsonColumnBuilder implements ColumnBuilder {
  readonly #column: number;
  readonly #values: unknown[] = [];

  constructor(column: number) {
    this.#column = column;
  }

  append(chunk: DataChunk, rows: number, offset: number): void {
    const vector = chunkVector(chunk, this.#column);
    const bytes = vectorBytes(vector, rows, STRING_BYTES);
    const validity = vectorValidity(vector, rows);
    for (let i = 0; i < rows; i++) {
      this.#values[offset + i] = validity !== null && !isValidRow(validity, i) ? null : JSON.parse(stringAt(bytes, i));
    }
  }

  finish(length: number): Column {
    this.#values.length = length;
    return { type: 'json', values: this.#values };
  }
}
