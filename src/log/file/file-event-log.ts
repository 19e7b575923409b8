import { mkdir, open, readFile, readdir, rename, rm, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TandemError, quote } from '../../errors.js';
import type { AppendOptions, AppendResult, Durability, EventLog, LogReadOptions, LogRecord, RetentionPolicy, RetentionResult } from '../event-log.js';
import { HEADER_BYTES, decodeRecord, encodeRecords } from './record-codec.js';
import { Segment, parseSegmentName, segmentName } from './segment.js';

export interface FileEventLogOptions {
  /** When `append` resolves. @default 'fsync' */
  readonly durability?: Durability;
  /** A segment is sealed and a new one started past this size. @default 64 MiB */
  readonly segmentBytes?: number;
  readonly retention?: RetentionPolicy;
  /** The clock, for retention by age and record times. @default Date.now */
  readonly now?: () => number;
}

/** What opening the log found and repaired. */
export interface RecoveryReport {
  /** Bytes cut from the end of the newest segment: a write torn by a crash. */
  readonly truncatedBytes: number;
}

const CONSUMER = /^[A-Za-z0-9_.-]{1,128}$/;
/** Directories this process has open, so a second open in the same process is refused too. */
const openHere = new Set<string>();

interface QueuedAppend {
  readonly payloads: readonly Uint8Array[];
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface PendingSync {
  started: boolean;
  readonly promise: Promise<void>;
}

/**
 * The embedded event log: append-only segment files in one directory, a checksum per record,
 * consumer offsets in small files replaced atomically, and recovery on open that cuts a torn
 * tail off the newest segment. With `fsync` durability an append resolves once its records are
 * on disk; appends that arrive while a sync is pending share the next one (group commit).
 */
export class FileEventLog implements EventLog {
  readonly dir: string;
  readonly recovery: RecoveryReport;
  readonly #durability: Durability;
  readonly #segmentBytes: number;
  readonly #retention: RetentionPolicy;
  readonly #now: () => number;
  readonly #segments: Segment[];
  #next: number;
  /** Records before this offset are acknowledged and visible to readers. */
  #durable: number;
  readonly #queue: QueuedAppend[] = [];
  #draining = false;
  /** Settles when every append written so far is acknowledged or failed. */
  #acks: Promise<void> = Promise.resolve();
  #sync: PendingSync | undefined;
  #closed = false;
  /** Reads in flight: close waits for them. */
  readonly #reads = new Set<Promise<LogRecord[]>>();

  private constructor(dir: string, segments: Segment[], recovery: RecoveryReport, options: FileEventLogOptions) {
    this.dir = dir;
    this.#segments = segments;
    this.recovery = recovery;
    this.#durability = options.durability ?? 'fsync';
    this.#segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.#retention = options.retention ?? {};
    this.#now = options.now ?? Date.now;
    this.#next = segments.at(-1)!.end;
    this.#durable = this.#next;
  }

  /** Open (or create) the log in `dir`, recovering from a crash if the last write was torn. */
  static async open(dir: string, options: FileEventLogOptions = {}): Promise<FileEventLog> {
    const path = resolve(dir);
    await mkdir(join(path, 'consumers'), { recursive: true });
    await lock(path);
    try {
      const names = await readdir(path);
      // An index being written when a process died: its temporary file is of no use.
      for (const name of names) if (/^\d{20}\.idx\.\d+\.tmp$/.test(name)) await rm(join(path, name), { force: true });
      const bases = names.map(parseSegmentName).filter((b): b is number => b !== undefined).sort((a, b) => a - b);
      const segments: Segment[] = [];
      let truncatedBytes = 0;
      for (const [i, base] of bases.entries()) {
        const segment = new Segment(path, base);
        const previous = segments.at(-1);
        if (previous !== undefined && previous.end !== base) {
          throw new TandemError('TANDEM_LOG_CORRUPT', `event log ${path}: segment ${segmentName(base)} starts at offset ${base}, but the one before ends at ${previous.end}`);
        }
        const sealed = i < bases.length - 1;
        // A sealed segment with its index is not read again: its records are checked when read.
        if (sealed && (await segment.loadIndex())) {
          segments.push(segment);
          continue;
        }
        const { valid, length } = await segment.scan();
        if (valid < length) {
          if (i < bases.length - 1) {
            throw new TandemError(
              'TANDEM_LOG_CORRUPT',
              `event log ${path}: sealed segment ${segmentName(base)} is damaged at byte ${valid} (offset ${segment.end}); later segments depend on it, so it is not cut off — restore it from a copy or remove the segments from it on`,
            );
          }
          // The newest segment: a crash tore its last write. Cut it back to the last whole record.
          await truncate(segment.path, valid);
          truncatedBytes = length - valid;
        }
        if (sealed) await writeIndexQuietly(segment);
        segments.push(segment);
      }
      if (segments.length === 0) {
        const first = new Segment(path, 0);
        await writeFile(first.path, new Uint8Array(0), { flag: 'wx' });
        await syncDirectory(path);
        segments.push(first);
      }
      const active = segments.at(-1)!;
      active.handle = await open(active.path, 'r+');
      if (truncatedBytes > 0) await active.handle.sync();
      return new FileEventLog(path, segments, { truncatedBytes }, options);
    } catch (error) {
      await unlock(path);
      throw error;
    }
  }

  get nextOffset(): number {
    return this.#durable;
  }

  get firstOffset(): number {
    return this.#segments[0]!.base;
  }

  append(payloads: readonly Uint8Array[], _options?: AppendOptions): Promise<AppendResult> {
    this.#open();
    return new Promise((resolve, reject) => {
      this.#queue.push({ payloads, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  /**
   * Write queued appends, all that are waiting in one write, then acknowledge them once
   * durable. Concurrent small appends thus cost one write and share one fsync.
   */
  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#queue.length);
        let results: AppendResult[];
        try {
          results = await this.#write(batch.map((a) => a.payloads));
        } catch (error) {
          for (const a of batch) a.reject(error);
          continue;
        }
        const durable = this.#durability === 'fsync' ? this.#groupSync() : Promise.resolve();
        this.#acks = Promise.all([this.#acks, durable.then(
          () => {
            const end = results.at(-1)!.last + 1;
            if (end > this.#durable) this.#durable = end;
            batch.forEach((a, i) => a.resolve(results[i]!));
          },
          (error: unknown) => {
            for (const a of batch) a.reject(error);
          },
        )]).then(() => undefined);
      }
    } finally {
      this.#draining = false;
    }
  }

  read(from: number, options: LogReadOptions = {}): Promise<LogRecord[]> {
    const reading = this.#read(from, options);
    // Tracked until settled, so that close waits for it instead of closing files under it.
    this.#reads.add(reading);
    const settled = (): void => void this.#reads.delete(reading);
    reading.then(settled, settled);
    return reading;
  }

  async #read(from: number, options: LogReadOptions): Promise<LogRecord[]> {
    this.#open();
    const max = options.max ?? 10_000;
    const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    const end = this.#durable;
    let offset = Math.max(from, this.firstOffset);
    const records: LogRecord[] = [];
    let bytes = 0;
    let s = this.#segmentOf(offset);
    let full = false;
    while (!full && offset < end && records.length < max && s < this.#segments.length) {
      const segment = this.#segments[s]!;
      const last = Math.min(end, segment.end, offset + (max - records.length));
      if (offset >= last) {
        s++;
        continue;
      }
      const start = segment.position(offset);
      const stop = last < segment.end ? segment.position(last) : segment.size;
      const buffer = Buffer.allocUnsafe(stop - start);
      const handle = segment.handle ?? (segment.handle = await open(segment.path, 'r'));
      let got = 0;
      while (got < buffer.length) {
        const { bytesRead } = await handle.read(buffer, got, buffer.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      let at = 0;
      while (offset < last) {
        const record = decodeRecord(buffer, at, offset);
        if (record === undefined) {
          throw new TandemError('TANDEM_LOG_CORRUPT', `event log ${this.dir}: record ${offset} in ${segmentName(segment.base)} fails its checksum`);
        }
        // At most maxBytes of payload, but always at least one record.
        if (records.length > 0 && bytes + record.payload.byteLength > maxBytes) {
          full = true;
          break;
        }
        records.push({ offset, appendedAt: record.appendedAt, payload: record.payload });
        bytes += record.payload.byteLength;
        at += record.size;
        offset++;
      }
      s++;
    }
    return records;
  }

  async commit(consumer: string, offset: number): Promise<void> {
    this.#open();
    checkConsumer(consumer);
    if (!Number.isInteger(offset) || offset < 0 || offset > this.#durable) {
      throw new TandemError('TANDEM_USAGE', `consumer '${consumer}' cannot commit offset ${quote(offset)}: offsets run from 0 to ${this.#durable}`);
    }
    const file = join(this.dir, 'consumers', consumer);
    const temp = `${file}.${process.pid}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify({ offset })}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    await syncDirectory(join(this.dir, 'consumers'));
  }

  async committed(consumer: string): Promise<number | undefined> {
    this.#open();
    checkConsumer(consumer);
    try {
      const { offset } = JSON.parse(await readFile(join(this.dir, 'consumers', consumer), 'utf8')) as { offset: number };
      return offset;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async applyRetention(): Promise<RetentionResult> {
    const { maxAgeMs, maxBytes } = this.#retention;
    let total = this.#segments.reduce((sum, s) => sum + s.size, 0);
    let removedRecords = 0;
    let removedBytes = 0;
    const now = this.#now();
    // Whole sealed segments only: the newest one is being written.
    while (this.#segments.length > 1) {
      const oldest = this.#segments[0]!;
      const tooOld = maxAgeMs !== undefined && oldest.lastAppendedAt < now - maxAgeMs;
      const tooBig = maxBytes !== undefined && total > maxBytes;
      if (!tooOld && !tooBig) break;
      this.#segments.shift();
      await oldest.handle?.close();
      await unlink(oldest.path);
      await oldest.removeIndex();
      total -= oldest.size;
      removedRecords += oldest.count;
      removedBytes += oldest.size;
    }
    return { removedRecords, removedBytes };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#reads]);
    while (this.#draining || this.#queue.length > 0) await new Promise((done) => setImmediate(done));
    await this.#acks;
    await this.#sync?.promise;
    for (const segment of this.#segments) await segment.handle?.close();
    await unlock(this.dir);
  }

  /** Write appends' records, in order, as one write; returns each append's offsets. */
  async #write(appends: readonly (readonly Uint8Array[])[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    const all: Uint8Array[] = [];
    let next = this.#next;
    for (const payloads of appends) {
      results.push({ first: next, last: next + payloads.length - 1 });
      next += payloads.length;
      for (const p of payloads) all.push(p);
    }
    if (all.length === 0) return results;
    const appendedAt = this.#now();
    const buffer = encodeRecords(this.#next, appendedAt, all);
    let active = this.#segments.at(-1)!;
    if (active.count > 0 && active.size + buffer.length > this.#segmentBytes) active = await this.#roll();
    let written = 0;
    while (written < buffer.length) {
      const { bytesWritten } = await active.handle!.write(buffer, written, buffer.length - written, active.size + written);
      written += bytesWritten;
    }
    for (const payload of all) active.push(HEADER_BYTES + payload.byteLength, appendedAt);
    this.#next = next;
    return results;
  }

  /** Seal the active segment (on disk) and start the next one. */
  async #roll(): Promise<Segment> {
    const sealed = this.#segments.at(-1)!;
    await sealed.handle!.sync();
    await writeIndexQuietly(sealed);
    const next = new Segment(this.dir, this.#next);
    next.handle = await open(next.path, 'wx+');
    await syncDirectory(this.dir);
    this.#segments.push(next);
    await sealed.handle!.close();
    sealed.handle = undefined;
    if (this.#retention.maxAgeMs !== undefined || this.#retention.maxBytes !== undefined) await this.applyRetention();
    return next;
  }

  /** Resolves once everything written before the call is on disk; concurrent callers share one fsync. */
  #groupSync(): Promise<void> {
    if (this.#sync === undefined || this.#sync.started) {
      const pending: PendingSync = {
        started: false,
        promise: new Promise<void>((done) => setImmediate(done)).then(async () => {
          pending.started = true;
          if (this.#sync === pending) this.#sync = undefined;
          await this.#segments.at(-1)!.handle!.sync();
        }),
      };
      this.#sync = pending;
    }
    return this.#sync.promise;
  }

  #segmentOf(offset: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#segments[mid]!.base <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #open(): void {
    if (this.#closed) throw new TandemError('TANDEM_LOG_CLOSED', `event log ${this.dir} is closed`);
  }
}

function checkConsumer(consumer: string): void {
  if (!CONSUMER.test(consumer)) {
    throw new TandemError('TANDEM_USAGE', `consumer name ${quote(consumer)} is invalid; use up to 128 letters, digits, '_', '.' or '-'`);
  }
}

/**
 * Write a sealed segment's index; one that cannot be written (a full disk, say) only means the
 * segment is read through again the next time the log is opened. An older index under the
 * same name (left by a log that was deleted without it) is removed then, so it cannot stand
 * for this segment.
 */
async function writeIndexQuietly(segment: Segment): Promise<void> {
  try {
    await segment.writeIndex();
  } catch {
    await rm(`${segment.indexPath}.${process.pid}.tmp`, { force: true }).catch(() => undefined);
    await segment.removeIndex().catch(() => undefined);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle: FileHandle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** One process at a time: a LOCK file holding the owner's pid; a dead owner's lock is taken over. */
async function lock(dir: string): Promise<void> {
  const file = join(dir, 'LOCK');
  if (openHere.has(dir)) throw new TandemError('TANDEM_LOG_LOCKED', `event log ${dir} is already open in this process`);
  try {
    await writeFile(file, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(await readFile(file, 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new TandemError('TANDEM_LOG_LOCKED', `event log ${dir} is open in process ${owner}; stop it first`);
    }
    await writeFile(file, String(process.pid));
  }
  openHere.add(dir);
}

async function unlock(dir: string): Promise<void> {
  openHere.delete(dir);
  await rm(join(dir, 'LOCK'), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
