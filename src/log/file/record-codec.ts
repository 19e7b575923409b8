import { crc32 } from 'node:zlib';

/**
 * One record on disk, little-endian:
 *   u32 payload length · u32 CRC-32 of everything after it · f64 offset · f64 appended-at ·
 *   payload bytes.
 * The checksum covers the offset and time too, so a record copied to the wrong place, or a
 * torn write that left an old record's bytes behind, does not pass as valid.
 */
export const HEADER_BYTES = 24;

export function encodeRecords(first: number, appendedAt: number, payloads: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const p of payloads) total += HEADER_BYTES + p.byteLength;
  const buffer = Buffer.allocUnsafe(total);
  let at = 0;
  payloads.forEach((payload, i) => {
    buffer.writeUInt32LE(payload.byteLength, at);
    buffer.writeDoubleLE(first + i, at + 8);
    buffer.writeDoubleLE(appendedAt, at + 16);
    buffer.set(payload, at + HEADER_BYTES);
    const end = at + HEADER_BYTES + payload.byteLength;
    buffer.writeUInt32LE(crc32(buffer.subarray(at + 8, end)), at + 4);
    at = end;
  });
  return buffer;
}

export interface DecodedRecord {
  readonly offset: number;
  readonly appendedAt: number;
  readonly payload: Uint8Array;
  /** Bytes the record takes on disk. */
  readonly size: number;
}

/**
 * The record at `at` in `buffer`, or undefined when what is there is not a whole, valid
 * record (the buffer ends inside it, or its checksum or offset does not match).
 */
export function decodeRecord(buffer: Buffer, at: number, expectedOffset: number): DecodedRecord | undefined {
  if (at + HEADER_BYTES > buffer.length) return undefined;
  const length = buffer.readUInt32LE(at);
  const end = at + HEADER_BYTES + length;
  if (end > buffer.length) return undefined;
  if (crc32(buffer.subarray(at + 8, end)) !== buffer.readUInt32LE(at + 4)) return undefined;
  const offset = buffer.readDoubleLE(at + 8);
  if (offset !== expectedOffset) return undefined;
  return { offset, appendedAt: buffer.readDoubleLE(at + 16), payload: buffer.subarray(at + HEADER_BYTES, end), size: end - at };
}
