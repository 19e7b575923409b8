import { DOUBLE, DuckDBTableFunction, ENUM, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import type { Vector } from '@duckdb/node-bindings';
import { chunkVector, enumItemBytes, writeVectorBytes, writeVectorString, writeVectorValidity } from './vector-data.js';

/** One column as the scan hands it to DuckDB. */
export type ScanColumn =
  /** Numbers, timestamps and booleans: copied as DOUBLE, NaN as null. */
  | { readonly kind: 'double'; readonly values: Float64Array }
  /** Dictionary-encoded strings as an ENUM, so DuckDB receives codes, not text; `members` are unique. */
  | { readonly kind: 'enum'; readonly codes: Int32Array; readonly members: readonly string[]; readonly memberOfCode: Int32Array | null }
  /** Anything else as VARCHAR text, null where absent. */
  | { readonly kind: 'text'; readonly textAt: (row: number) => string | null };

/** DuckDB's vector size: the most rows a chunk holds. */
const CHUNK_ROWS = 2048;

/**
 * Registers a table function `name()` that streams the columns into DuckDB chunk by chunk,
 * named c0, c1, ... A scan straight from the typed arrays lets `COPY (SELECT ... FROM name())`
 * write a file without first building a DuckDB table. It runs on one thread, so rows keep
 * their order.
 */
export function registerTableScan(connection: DuckDBConnection, name: string, length: number, columns: readonly ScanColumn[]): void {
  const validity = new Uint8Array(CHUNK_ROWS / 8);
  const enumScratch = new Map<number, Uint8Array | Uint16Array | Uint32Array>();
  const fill = (vector: Vector, column: ScanColumn, index: number, start: number, rows: number): void => {
    validity.fill(0xff);
    switch (column.kind) {
      case 'double': {
        const values = column.values.subarray(start, start + rows);
        writeVectorBytes(vector, values);
        for (let i = 0; i < rows; i++) {
          if (values[i] !== values[i]) validity[i >> 3]! &= ~(1 << (i & 7));
        }
        break;
      }
      case 'enum': {
        let items = enumScratch.get(index);
        if (items === undefined) {
          const width = enumItemBytes(vector);
          items = width === 1 ? new Uint8Array(CHUNK_ROWS) : width === 2 ? new Uint16Array(CHUNK_ROWS) : new Uint32Array(CHUNK_ROWS);
          enumScratch.set(index, items);
        }
        const { codes, memberOfCode } = column;
        for (let i = 0; i < rows; i++) {
          const code = codes[start + i]!;
          if (code < 0) {
            items[i] = 0;
            validity[i >> 3]! &= ~(1 << (i & 7));
          } else {
            items[i] = memberOfCode === null ? code : memberOfCode[code]!;
          }
        }
        writeVectorBytes(vector, items.subarray(0, rows));
        break;
      }
      case 'text':
        for (let i = 0; i < rows; i++) {
          const text = column.textAt(start + i);
          if (text === null) validity[i >> 3]! &= ~(1 << (i & 7));
          else writeVectorString(vector, i, text);
        }
        break;
    }
    // Always written: a reused output vector may still carry the previous chunk's nulls.
    writeVectorValidity(vector, validity);
  };

  connection.registerTableFunction(
    DuckDBTableFunction.create({
      name,
      bindFunction: (info) => {
        columns.forEach((column, i) => info.addResultColumn(`c${i}`, duckdbType(column)));
        info.setCardinality(length, true);
      },
      initFunction: (info) => info.setInitData({ next: 0 }),
      mainFunction: (info, output) => {
        const state = info.initData as { next: number };
        const start = state.next;
        const rows = Math.min(CHUNK_ROWS, length - start);
        output.rowCount = rows;
        state.next += rows;
        columns.forEach((column, i) => {
          if (rows > 0) fill(chunkVector(output.chunk, i), column, i, start, rows);
        });
      },
    }),
  );
}

function duckdbType(column: ScanColumn): DuckDBType {
  switch (column.kind) {
    case 'double':
      return DOUBLE;
    case 'enum':
      return ENUM(column.members);
    case 'text':
      return VARCHAR;
  }
}
