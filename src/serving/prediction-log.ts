import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename, dirname, join } from 'node:path';
import type { ServingFeatures } from '../features/model-serving.js';
import type { Prediction } from './types.js';

export interface LoggedPrediction {
  readonly prediction: Prediction;
  /** The model's inputs as they were read. */
  readonly features: ServingFeatures;
  /** The time the features were read as of. */
  readonly at: number;
  /** The request as validated (entity keys, request fields): kept in memory for skew checks, not written. */
  readonly request?: Readonly<Record<string, unknown>>;
}

export interface FeedbackRecord {
  readonly id: string;
  readonly model: string;
  readonly label: number;
  readonly ts: number;
  readonly joined: boolean;
  readonly learned: boolean;
}

/** A shadow version's answer to a prediction, logged beside it. */
export interface ShadowRecord {
  readonly id: string;
  readonly model: string;
  readonly version: number;
  readonly score: number | null;
  readonly decision: string | null;
  readonly error: string | null;
}

export interface PredictionLogOptions {
  /** Predictions kept in memory per model for feedback to join (oldest dropped first). @default 100_000 */
  readonly capacity?: number;
  /** NDJSON file that every prediction and feedback is appended to; none when undefined. */
  readonly path?: string;
  /**
   * Start a new file once the current one would grow past this many bytes: it is renamed
   * `<name>.<sequence>.ndjson` and a fresh one begun. @default 64 MiB
   */
  readonly rotateBytes?: number;
  /** Rotated files kept (the oldest beyond are deleted); the current file is not counted. @default 8 */
  readonly keepFiles?: number;
}

const ROTATED = /^(.*)\.(\d{6,})\.ndjson$/;

/**
 * The files of the prediction log at `path`, oldest first: the rotated ones by sequence,
 * then the current one (when they exist).
 */
export async function predictionLogFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const stem = basename(path).replace(/\.ndjson$/, '');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const rotated = names
    .map((name) => ROTATED.exec(name))
    .filter((match): match is RegExpExecArray => match !== null && match[1] === stem)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((match) => join(dir, match[0]));
  return names.includes(basename(path)) ? [...rotated, path] : rotated;
}

/**
 * Recent predictions by id, for feedback to join, and a durable NDJSON record of every
 * prediction (request id, version, features and their SHA-256, score, decision, fallback),
 * every shadow score and every label.
 * Lines are serialized and appended after the response, in batches, off the request path.
 */
export class PredictionLog {
  readonly #byModel = new Map<string, Map<string, LoggedPrediction>>();
  readonly #capacity: number;
  readonly #path: string | undefined;
  #pending: (LoggedPrediction | FeedbackRecord | ShadowRecord)[] = [];
  #flushing: Promise<void> = Promise.resolve();
  /** Opened on the first write and kept open: one write per flush, no open/close per batch. */
  #handle: FileHandle | undefined;
  /** Bytes in the current file. */
  #size = 0;
  readonly #rotateBytes: number;
  readonly #keepFiles: number;
  #scheduled = false;
  #failed = false;

  constructor(options: PredictionLogOptions = {}) {
    this.#capacity = options.capacity ?? 100_000;
    this.#path = options.path;
    this.#rotateBytes = options.rotateBytes ?? 64 * 1024 * 1024;
    this.#keepFiles = options.keepFiles ?? 8;
  }

  record(entry: LoggedPrediction): void {
    const model = entry.prediction.model;
    let recent = this.#byModel.get(model);
    if (recent === undefined) this.#byModel.set(model, (recent = new Map()));
    recent.delete(entry.prediction.id);
    recent.set(entry.prediction.id, entry);
    if (recent.size > this.#capacity) recent.delete(recent.keys().next().value as string);
    this.#write(entry);
  }

  /** The most recent `limit` predictions of `model` still in memory, oldest first. */
  recent(model: string, limit: number): LoggedPrediction[] {
    const all = [...(this.#byModel.get(model)?.values() ?? [])];
    return all.slice(Math.max(0, all.length - limit));
  }

  find(model: string, id: string): LoggedPrediction | undefined {
    return this.#byModel.get(model)?.get(id);
  }

  recordFeedback(record: FeedbackRecord): void {
    this.#write(record);
  }

  recordShadow(record: ShadowRecord): void {
    this.#write(record);
  }

  /** Write everything recorded so far. */
  flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    const path = this.#path;
    if (batch.length === 0 || path === undefined) return this.#flushing;
    const text = batch.map(line).join('');
    this.#flushing = this.#flushing
      .then(async () => {
        const bytes = Buffer.byteLength(text);
        if (this.#handle === undefined) {
          await mkdir(dirname(path), { recursive: true });
          this.#handle = await open(path, 'a');
          this.#size = (await this.#handle.stat()).size;
        }
        if (this.#size > 0 && this.#size + bytes > this.#rotateBytes) await this.#rotate(path);
        await this.#handle!.write(text);
        this.#size += bytes;
      })
      .catch((error: unknown) => {
        if (!this.#failed) process.stderr.write(`prediction log: cannot append to ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
        this.#failed = true;
      });
    return this.#flushing;
  }

  /** Every label given for `model`'s predictions, by prediction id (the latest wins), from the files (rotated ones too). */
  async feedbackLabels(model: string): Promise<Map<string, number>> {
    await this.flush();
    const labels = new Map<string, number>();
    const path = this.#path;
    if (path === undefined) return labels;
    for (const file of await predictionLogFiles(path)) {
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      for await (const text of lines) {
        // Cheap filter first: most lines are predictions.
        if (!text.startsWith('{"type":"feedback"')) continue;
        const line = JSON.parse(text) as Partial<FeedbackRecord>;
        if (line.model === model && typeof line.id === 'string' && typeof line.label === 'number') labels.set(line.id, line.label);
      }
    }
    return labels;
  }

  /** Write everything recorded so far and close the file. */
  async close(): Promise<void> {
    await this.flush();
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  /** Close the current file, rename it with the next sequence number, drop rotated files beyond `keepFiles`. */
  async #rotate(path: string): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
    const rotated = (await predictionLogFiles(path)).filter((file) => file !== path);
    const last = rotated.length === 0 ? 0 : Number(ROTATED.exec(basename(rotated.at(-1)!))![2]);
    const next = join(dirname(path), `${basename(path).replace(/\.ndjson$/, '')}.${String(last + 1).padStart(6, '0')}.ndjson`);
    await rename(path, next);
    rotated.push(next);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - this.#keepFiles))) await rm(old, { force: true });
    this.#handle = await open(path, 'a');
    this.#size = (await stat(path)).size;
  }

  #write(entry: LoggedPrediction | FeedbackRecord | ShadowRecord): void {
    if (this.#path === undefined) return;
    this.#pending.push(entry);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.flush());
    }
  }
}

function line(entry: LoggedPrediction | FeedbackRecord | ShadowRecord): string {
  if ('prediction' in entry) {
    const p = entry.prediction;
    const features = JSON.stringify(entry.features);
    // The audit trail: which version answered which request, on which inputs (by hash), with what decision.
    const featuresSha256 = createHash('sha256').update(features).digest('hex');
    return `{"type":"prediction",${JSON.stringify({ id: p.id, model: p.model, version: p.version, variant: p.variant ?? null, at: entry.at, score: p.score, decision: p.decision, rule: p.rule, fallback: p.fallback ?? null, featuresSha256 }).slice(1, -1)},"features":${features}}\n`;
  }
  return `${JSON.stringify({ type: 'label' in entry ? 'feedback' : 'shadow', ...entry })}\n`;
}
