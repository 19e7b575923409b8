/**
 * Bulk access to DuckDB vectors through the C-API bindings. The node-api vector classes read and
 * write one item at a time (with BigInt validity checks); these copy whole vectors instead, which
 * is what makes reading and writing millions of rows take well under a second of JS time.
 * Layouts follow DuckDB's C API: flat vectors, a little-endian validity bitmap with bit i set
 * when row i is valid (or no bitmap when every row is), and 16-byte `duckdb_string_t`s.
 */
import bindings from '@duckdb/node-bindings';
import type { DataChunk, Vector } from '@duckdb/node-bindings';

/** Bytes per `duckdb_string_t`: a uint32 length, then 12 inline bytes or a 4-byte prefix and a pointer. */
export const STRING_BYTES = 16;
/** Strings up to this many bytes sit inside the `duckdb_string_t` itself. */
export const INLINE_STRING_BYTES = 12;

const textDecoder = new TextDecoder();

export function chunkVector(chunk: DataChunk, column: number): Vector {
  return bindings.data_chunk_get_vector(chunk, column);
}

/** A copy of the first `rows` items' bytes (vector_get_data copies; writes to it do not reach DuckDB). */
export function vectorBytes(vector: Vector, rows: number, itemBytes: number): Uint8Array {
  return bindings.vector_get_data(vector, rows * itemBytes);
}

/** The validity bitmap of the first `rows` rows, or null when every row is valid. */
export function vectorValidity(vector: Vector, rows: number): Uint8Array | null {
  const validity = bindings.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null | undefined;
  return validity ?? null;
}

export function isValidRow(validity: Uint8Array, row: number): boolean {
  return ((validity[row >> 3]! >> (row & 7)) & 1) === 1;
}

/** Copies a DOUBLE vector into `out` from `offset`; null rows become NaN. */
export function copyDoubles(vector: Vector, rows: number, out: Float64Array, offset: number): void {
  const bytes = vectorBytes(vector, rows, Float64Array.BYTES_PER_ELEMENT);
  // Byte-wise, so the copy does not depend on the alignment of DuckDB's buffer.
  new Uint8Array(out.buffer, out.byteOffset + offset * Float64Array.BYTES_PER_ELEMENT, bytes.length).set(bytes);
  const validity = vectorValidity(vector, rows);
  if (validity === null) return;
  for (let i = 0; i < rows; i++) {
    if (!isValidRow(validity, i)) out[offset + i] = NaN;
  }
}

/** The string at `row` of a VARCHAR vector's bytes (from `vectorBytes(vector, rows, STRING_BYTES)`). */
export function stringAt(bytes: Uint8Array, row: number): string {
  return textDecoder.decode(stringBytesAt(bytes, row));
}

/** The UTF-8 bytes of the string at `row`: inside its `duckdb_string_t`, or read through its pointer. */
export function stringBytesAt(bytes: Uint8Array, row: number): Uint8Array {
  const start = row * STRING_BYTES;
  // The little-endian uint32 length, read without a DataView per call.
  const length = (bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 24)) >>> 0;
  return length <= INLINE_STRING_BYTES
    ? bytes.subarray(start + 4, start + 4 + length)
    : bindings.get_data_from_pointer(bytes.buffer as ArrayBuffer, bytes.byteOffset + start + 8, length);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/**
 * Writes `source` into a vector's data, starting at its first row. The bindings take an
 * ArrayBuffer only: a view of shared memory (backfill outputs filled by worker threads) is
 * copied to a plain one first.
 */
export function writeVectorBytes(vector: Vector, source: ArrayBufferView): void {
  if (source.buffer instanceof ArrayBuffer) {
    bindings.copy_data_to_vector(vector, 0, source.buffer, source.byteOffset, source.byteLength);
  } else {
    const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
    bindings.copy_data_to_vector(vector, 0, bytes.buffer, 0, bytes.byteLength);
  }
}

/** Replaces a vector's validity with `bitmap` (bit i set = row i valid). */
export function writeVectorValidity(vector: Vector, bitmap: Uint8Array): void {
  bindings.vector_ensure_validity_writable(vector);
  bindings.copy_data_to_vector_validity(vector, 0, bitmap.buffer as ArrayBuffer, bitmap.byteOffset, bitmap.byteLength);
}

export function writeVectorString(vector: Vector, row: number, text: string): void {
  bindings.vector_assign_string_element(vector, row, text);
}

/** Bytes per item of an ENUM vector: DuckDB picks uint8, uint16 or uint32 by dictionary size. */
export function enumItemBytes(vector: Vector): 1 | 2 | 4 {
  const internal = bindings.enum_internal_type(bindings.vector_get_column_type(vector));
  if (internal === bindings.Type.UTINYINT) return 1;
  if (internal === bindings.Type.USMALLINT) return 2;
  return 4;
}
