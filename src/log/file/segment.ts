import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecord } from './record-codec.js';

/** Segment files are named by the offset of their first record, zero-padded to sort as text. */
export function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.seg`;
}

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

  constructor(dir: string, base: number) {
    this.base = base;
    this.path = join(dir, segmentName(base));
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
