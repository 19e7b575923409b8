import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeRecord } from './record-codec.js';

/** Segment files are named by the offset of their first record, zero-padded to sort as text. */
export function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.seg`;
}

/** A sealed segment's index sits beside it: the same name with `.idx`. */
export function indexName(base: number): string {
  return `${String(base).padStart(20, '0')}.idx`;
}

/**
 * Index file: 8 bytes of magic, then doubles: record count, segment size in bytes, newest
 * append time, CRC-32 of the positions' bytes; then each record's byte position.
 */
const INDEX_MAGIC = Buffer.from('TNDIDX01', 'latin1');
const INDEX_HEADER_DOUBLES = 4;

export function parseSegmentName(name: string): number | undefined {
  const match = /^(\d{20})\.seg$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** A segment's records, known by their byte positions, plus when its newest was appended. */
export class Segment {
  readonly base: number;
  readonly path: string;
  /** Byte position of each record; record i has offset base + i. */
  #positions = new Float64Array(64);
  #count = 0;
  size = 0;
  lastAppendedAt = -Infinity;
  handle: FileHandle | undefined;

  readonly indexPath: string;

  constructor(dir: string, base: number) {
    this.base = base;
    this.path = join(dir, segmentName(base));
    this.indexPath = join(dir, indexName(base));
  }

  get count(): number {
    return this.#count;
  }

  get end(): number {
    return this.base + this.#count;
  }

  position(offset: number): number {
    return this.#positions[offset - this.base]!;
  }

  /** Note a record written at the current end of the file. */
  push(size: number, appendedAt: number): void {
    if (this.#count === this.#positions.length) {
      const grown = new Float64Array(this.#positions.length * 2);
      grown.set(this.#positions);
      this.#positions = grown;
    }
    this.#positions[this.#count++] = this.size;
    this.size += size;
    this.lastAppendedAt = appendedAt;
  }

  /**
   * Write the index of this sealed segment beside it (to a temporary file, then renamed), so
   * that opening the log need not read the segment again. Not synced: an index lost or torn
   * by a crash fails `loadIndex`'s checks and the segment is scanned as before.
   */
  async writeIndex(): Promise<void> {
    const body = new Float64Array(INDEX_HEADER_DOUBLES + this.#count);
    body.set(this.#positions.subarray(0, this.#count), INDEX_HEADER_DOUBLES);
    const positions = Buffer.from(body.buffer, INDEX_HEADER_DOUBLES * 8);
    body[0] = this.#count;
    body[1] = this.size;
    body[2] = this.lastAppendedAt;
    body[3] = crc32(positions);
    const temp = `${this.indexPath}.${process.pid}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(Buffer.concat([INDEX_MAGIC, Buffer.from(body.buffer)]));
    } finally {
      await handle.close();
    }
    await rename(temp, this.indexPath);
  }

  /**
   * Take the records' positions from the segment's index instead of reading the segment: true
   * when the index is whole (magic, length, checksum, increasing positions) and describes the
   * segment file as it is (its size). The records themselves are checked when they are read.
   */
  async loadIndex(): Promise<boolean> {
    let bytes: Buffer;
    let size: number;
    try {
      [bytes, { size }] = await Promise.all([readFile(this.indexPath), stat(this.path)]);
    } catch {
      return false;
    }
    const doubles = (bytes.length - INDEX_MAGIC.length) / 8;
    if (!Number.isInteger(doubles) || doubles < INDEX_HEADER_DOUBLES || !bytes.subarray(0, INDEX_MAGIC.length).equals(INDEX_MAGIC)) return false;
    const body = new Float64Array(doubles);
    Buffer.from(body.buffer).set(bytes.subarray(INDEX_MAGIC.length));
    const count = body[0]!;
    if (count !== doubles - INDEX_HEADER_DOUBLES || body[1] !== size) return false;
    if (body[3] !== crc32(Buffer.from(body.buffer, INDEX_HEADER_DOUBLES * 8))) return false;
    const positions = body.slice(INDEX_HEADER_DOUBLES);
    for (let i = 0; i < count; i++) {
      if (!(positions[i]! >= (i === 0 ? 0 : positions[i - 1]! + 1) && positions[i]! < size)) return false;
    }
    if (count === 0 ? size !== 0 : positions[0] !== 0) return false;
    this.#positions = positions.length > 0 ? positions : new Float64Array(64);
    this.#count = count;
    this.size = size;
    this.lastAppendedAt = body[2]!;
    return true;
  }

  /** Remove the segment's index, if it has one. */
  async removeIndex(): Promise<void> {
    await rm(this.indexPath, { force: true });
  }

  /**
   * Read the file and index its valid records. Returns the length of the valid prefix and the
   * file's length: anything after the first invalid record is a torn or damaged tail.
   */
  async scan(): Promise<{ valid: number; length: number }> {
    const handle = await open(this.path, 'r');
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const { bytesRead } = await handle.read(buffer, read, size - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      let at = 0;
      for (;;) {
        const record = decodeRecord(buffer, at, this.base + this.#count);
        if (record === undefined) break;
        this.push(record.size, record.appendedAt);
        at += record.size;
      }
      return { valid: at, length: read };
    } finally {
      await handle.close();
    }
  }
}
