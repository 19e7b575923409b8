import type { DataChunk } from '@duckdb/node-bindings';
import type { ColumnBuilder } from './column-builder.js';
import type { Column } from './table.js';
import { trimmedInt32, withCapacityInt32 } from './typed-array-growth.js';
import {
  chunkVector,
  decodeUtf8,
  INLINE_STRING_BYTES,
  isValidRow,
  STRING_BYTES,
  stringBytesAt,
  vectorBytes,
  vectorValidity,
} from './vector-data.js';
import { WordKeyTable } from './word-key-table.js';

const PIECE_CHARS = INLINE_STRING_BYTES;
const PIECE_WORDS = STRING_BYTES / 4;
const PIECES = 3;

/**
 * SQL for the pieces a string is read in: 12 characters, 12 more, and the rest. A piece of up
 * to 12 bytes sits inside DuckDB's 16-byte `duckdb_string_t`, so an ASCII string of up to 36
 * characters reaches JS with no pointer to follow.
 */
export function stringPiecesSql(value: string): string[] {
  return [
    `substr(${value}, 1, ${PIECE_CHARS})`,
    `substr(${value}, ${PIECE_CHARS + 1}, ${PIECE_CHARS})`,
    `substr(${value}, ${2 * PIECE_CHARS + 1})`,
  ];
}

/**
 * Dictionary-encodes a string result column. Key columns repeat a few thousand values millions
 * of times, and decoding every row (a native call for each string over 12 bytes, then UTF-8
 * decoding) would cost more than the rest of a read. DuckDB zero-pads inline strings, so a
 * string's piece bytes identify it: tables keyed on those bytes find the code without decoding,
 * and text is decoded once per distinct value. The rare strings whose pieces are not inline
 * (over 36 characters, or non-ASCII ones over 12 bytes a piece) are decoded and found by value.
 */
export class StringColumnBuilder implements ColumnBuilder {
  readonly #pieceColumns: readonly number[];
  #codes: Int32Array;
  readonly #dictionary: string[] = [];
  readonly #codeByText = new Map<string, number>();
  /** Strings of up to 12 characters: keyed on the first piece alone. */
  readonly #short = new WordKeyTable(PIECE_WORDS);
  /** Longer strings: keyed on all three pieces. */
  readonly #long = new WordKeyTable(PIECES * PIECE_WORDS);
  readonly #longKey = new Uint32Array(PIECES * PIECE_WORDS);
  #pieceWords: Uint32Array[] = [];
  #textBytes = new Uint8Array(256);

  /** `pieceColumns`: the result columns holding `stringPiecesSql` of the value, in order. */
  constructor(pieceColumns: readonly number[], capacity: number) {
    this.#pieceColumns = pieceColumns;
    this.#codes = new Int32Array(capacity);
  }

  append(chunk: DataChunk, rows: number, offset: number): void {
    this.#codes = withCapacityInt32(this.#codes, offset + rows);
    const codes = this.#codes;
    const vectors = this.#pieceColumns.map((column) => chunkVector(chunk, column));
    const validity = vectorValidity(vectors[0]!, rows);
    const bytes = vectors.map((vector) => vectorBytes(vector, rows, STRING_BYTES));
    const [first, second, third] = this.#alignedWords(bytes, rows) as [Uint32Array, Uint32Array, Uint32Array];
    const longKey = this.#longKey;
    for (let i = 0; i < rows; i++) {
      if (validity !== null && !isValidRow(validity, i)) {
        codes[offset + i] = -1;
        continue;
      }
      const w = i * PIECE_WORDS;
      let code: number;
      if (first[w]! > INLINE_STRING_BYTES || second[w]! > INLINE_STRING_BYTES || third[w]! > INLINE_STRING_BYTES) {
        code = this.#codeOf(this.#text(bytes, i));
      } else if (second[w] === 0) {
        code = this.#short.get(first, w);
        if (code < 0) this.#short.set(first, w, (code = this.#newCode(this.#text(bytes, i))));
      } else {
        for (let k = 0; k < PIECE_WORDS; k++) {
          longKey[k] = first[w + k]!;
          longKey[PIECE_WORDS + k] = second[w + k]!;
          longKey[2 * PIECE_WORDS + k] = third[w + k]!;
        }
        code = this.#long.get(longKey, 0);
        if (code < 0) this.#long.set(longKey, 0, (code = this.#newCode(this.#text(bytes, i))));
      }
      codes[offset + i] = code;
    }
  }

  finish(length: number): Column {
    return { type: 'string', codes: trimmedInt32(this.#codes, length), dictionary: this.#dictionary };
  }

  /** Aligned copies, so the pieces can be read as 32-bit words whatever DuckDB's alignment. */
  #alignedWords(pieceBytes: readonly Uint8Array[], rows: number): readonly Uint32Array[] {
    if ((this.#pieceWords[0]?.length ?? 0) < rows * PIECE_WORDS) {
      this.#pieceWords = pieceBytes.map(() => new Uint32Array(rows * PIECE_WORDS));
    }
    pieceBytes.forEach((bytes, p) => new Uint8Array(this.#pieceWords[p]!.buffer, 0, rows * STRING_BYTES).set(bytes));
    return this.#pieceWords;
  }

  /** The whole string, decoded once from its pieces' bytes (so the dictionary holds flat strings, not ropes). */
  #text(pieceBytes: readonly Uint8Array[], row: number): string {
    let length = 0;
    for (const bytes of pieceBytes) {
      const piece = stringBytesAt(bytes, row);
      if (this.#textBytes.length < length + piece.length) {
        const grown = new Uint8Array(2 * (length + piece.length));
        grown.set(this.#textBytes.subarray(0, length));
        this.#textBytes = grown;
      }
      this.#textBytes.set(piece, length);
      length += piece.length;
    }
    return decodeUtf8(this.#textBytes.subarray(0, length));
  }

  /** A string whose pieces are not all inline: found by value. */
  #codeOf(text: string): number {
    let code = this.#codeByText.get(text);
    if (code === undefined) this.#codeByText.set(text, (code = this.#newCode(text)));
    return code;
  }

  /** A string never seen before: the same bytes always take the same path, so it is new. */
  #newCode(text: string): number {
    return this.#dictionary.push(text) - 1;
  }
}
