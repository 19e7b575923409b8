import { hash } from 'node:crypto';
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

/**
 * Records are appended every FLUSH_MS, or as soon as FLUSH_RECORDS are waiting: one write per
 * batch. Flushing on every turn of the event loop cost a file write (a hand-off to libuv's
 * thread pool and back) for every few predictions under load. Every 20 ms, serializing the
 * batch (about 2 µs a line) held the event loop for a millisecond at 30,000 predictions/s and
 * put that on the requests waiting meanwhile: p99 5.5–5.9 ms against 4.4–4.6 ms with 5 ms
 * batches (bench/README.md, "Serving").
 */
const FLUSH_MS = 5;
const FLUSH_RECORDS = 2048;

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
 * Lines are serialized and appended after the response, in batches (every 5 ms), off the request path.
 */
export class PredictionLog {
  readonly #byModel = new Map<string, RecentPredictions>();
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
    if (recent === undefined) this.#byModel.set(model, (recent = new RecentPredictions(model, this.#capacity)));
    recent.add(entry);
    this.#write(entry);
  }

  /** The most recent `limit` predictions of `model` still in memory, oldest first. */
  recent(model: string, limit: number): LoggedPrediction[] {
    return this.#byModel.get(model)?.newest(limit) ?? [];
  }

  find(model: string, id: string): LoggedPrediction | undefined {
    return this.#byModel.get(model)?.find(id);
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
    const text = encodeLines(batch);
    this.#flushing = this.#flushing
      .then(async () => {
        const bytes = text.length;
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
    if (this.#pending.length >= FLUSH_RECORDS) void this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // Not unref'd: a process with records waiting lives the 5 ms it takes to write them.
      setTimeout(() => void this.flush(), FLUSH_MS);
    }
  }
}

/**
 * The last `capacity` predictions of one model, by id: a ring in recording order and a map for
 * lookups. Evicting the oldest is one ring slot, never a scan: a Map used as a FIFO
 * (`keys().next()` then `delete`) walks over every deleted slot still in its table, which cost
 * tens of µs per prediction once the capacity was reached.
 *
 * Held column by column, not as the records given: scores, versions, times and feature values
 * in typed arrays, so a prediction kept for feedback leaves a few objects for the collector to
 * copy and mark (its id, its request, its reasons when a rule fired) instead of some twenty
 * (the record, the prediction, the features row and its numbers). With 100,000 kept, the
 * heap holds about 560 bytes a prediction instead of 840, and a predict call's 95th
 * percentile in process fell from 17–36 µs to 10–22 µs (bench/README.md, "Serving"). Records
 * are rebuilt on `find` and `newest`, which feedback and skew checks call, not predictions.
 */
class RecentPredictions {
  readonly #model: string;
  readonly #capacity: number;
  #next = 0;
  /** Records added so far, and how many of them `#byId` has seen (see `#catchUp`). */
  #written = 0;
  #indexed = 0;
  /** id → slot of its latest record; may hold ids whose slot has since been reused (checked on lookup). */
  readonly #byId = new Map<string, number>();
  readonly #ids: (string | undefined)[];
  #scores: Float64Array;
  /** NaN: null (a heuristic or default score answered). */
  #versions: Float64Array;
  #ats: Float64Array;
  readonly #decisions: string[];
  readonly #rules: (string | null)[];
  readonly #reasons: (readonly string[])[];
  /** The prediction's `fallback` and `variant`, when it has either (rare). */
  readonly #extras: (Pick<Prediction, 'fallback' | 'variant'> | undefined)[];
  readonly #requests: (Readonly<Record<string, unknown>> | undefined)[];
  /**
   * A row of numbers and nulls lives in `#values` (width `#width` per slot, NaN for null) under
   * its feature names (`#names`, shared by the rows of one shape); any other row as given, in `#rows`.
   */
  readonly #names: (readonly string[] | undefined)[];
  readonly #rows: (ServingFeatures | undefined)[];
  #values: Float64Array;
  #width = 0;
  /** The feature names of the latest row recorded, reused while rows keep them. */
  #shape: readonly string[] = [];

  constructor(model: string, capacity: number) {
    this.#model = model;
    this.#capacity = Math.max(1, capacity);
    // Grown as predictions arrive (the arrays by appending, the typed ones by doubling), so
    // that the first prediction of a model does not pay for a full ring.
    this.#ids = [];
    this.#decisions = [];
    this.#rules = [];
    this.#reasons = [];
    this.#extras = [];
    this.#requests = [];
    this.#names = [];
    this.#rows = [];
    this.#scores = new Float64Array(0);
    this.#versions = new Float64Array(0);
    this.#ats = new Float64Array(0);
    this.#values = new Float64Array(0);
  }

  add(entry: LoggedPrediction): void {
    const slot = this.#next;
    if (slot === this.#scores.length) this.#grow();
    const p = entry.prediction;
    this.#ids[slot] = p.id;
    this.#scores[slot] = p.score;
    this.#versions[slot] = p.version ?? Number.NaN;
    this.#ats[slot] = entry.at;
    this.#decisions[slot] = p.decision;
    this.#rules[slot] = p.rule;
    this.#reasons[slot] = p.reasons.length === 0 ? NO_REASONS : p.reasons;
    this.#extras[slot] = p.fallback === undefined && p.variant === undefined ? undefined : { ...(p.fallback === undefined ? {} : { fallback: p.fallback }), ...(p.variant === undefined ? {} : { variant: p.variant }) };
    this.#requests[slot] = entry.request;
    this.#storeFeatures(slot, entry.features);
    this.#next = slot + 1 === this.#capacity ? 0 : slot + 1;
    this.#written++;
  }

  find(id: string): LoggedPrediction | undefined {
    const slot = this.#slotOf(id);
    return slot === undefined ? undefined : this.#entry(slot);
  }

  /** The slot of the latest record with this id, if the ring still holds it. */
  #slotOf(id: string): number | undefined {
    this.#catchUp();
    const slot = this.#byId.get(id);
    return slot !== undefined && this.#ids[slot] === id ? slot : undefined;
  }

  /**
   * Index the records added since the last lookup, in order (a re-sent id points at its
   * latest record). Recording a prediction touches no map: under load that was two probes
   * of a 100,000-entry table per request (set, and delete of the id leaving the ring), about
   * a tenth of a predict call in process, for lookups that come only with feedback. Ids of
   * records that left the ring stay in the map until it holds twice the capacity, then it is
   * built anew from the ring.
   */
  #catchUp(): void {
    if (this.#indexed === this.#written) return;
    const capacity = this.#capacity;
    // Only the last `capacity` records are still in the ring.
    const held = Math.max(0, this.#written - capacity);
    let from = Math.max(this.#indexed, held);
    if (this.#byId.size + (this.#written - from) > 2 * capacity) {
      this.#byId.clear();
      from = held;
    }
    for (let n = from; n < this.#written; n++) {
      const slot = n % capacity;
      this.#byId.set(this.#ids[slot]!, slot);
    }
    this.#indexed = this.#written;
  }

  /** Up to `limit` entries, oldest first; an entry whose id was recorded again since is left out. */
  newest(limit: number): LoggedPrediction[] {
    this.#catchUp();
    const out: LoggedPrediction[] = [];
    // Before the ring first wraps, only the slots up to `#next` are filled.
    const capacity = this.#ids.length;
    for (let k = 1; k <= capacity && out.length < limit; k++) {
      const slot = (this.#next - k + capacity) % capacity;
      const id = this.#ids[slot];
      if (id === undefined) break;
      if (this.#byId.get(id) === slot) out.push(this.#entry(slot));
    }
    return out.reverse();
  }

  #entry(slot: number): LoggedPrediction {
    const version = this.#versions[slot] as number;
    const prediction: Prediction = {
      id: this.#ids[slot]!,
      model: this.#model,
      version: Number.isNaN(version) ? null : version,
      score: this.#scores[slot] as number,
      decision: this.#decisions[slot]!,
      rule: this.#rules[slot]!,
      reasons: this.#reasons[slot]!,
      ...this.#extras[slot],
    };
    const request = this.#requests[slot];
    const entry = { prediction, features: this.#features(slot), at: this.#ats[slot] as number };
    return request === undefined ? entry : { ...entry, request };
  }

  #storeFeatures(slot: number, features: ServingFeatures): void {
    // Whether the row has the latest shape's names, in order, and only numbers and nulls.
    let shape: readonly string[] | undefined = this.#shape;
    let n = 0;
    let numeric = true;
    for (const name in features) {
      if (shape !== undefined && shape[n] !== name) shape = undefined;
      n++;
      const value = features[name];
      if (!(value === null || (typeof value === 'number' && !Number.isNaN(value)))) numeric = false;
    }
    if (!numeric) {
      this.#names[slot] = undefined;
      this.#rows[slot] = features;
      return;
    }
    if (shape === undefined || n !== shape.length) shape = this.#shape = Object.keys(features);
    if (shape.length > this.#width) this.#widen(shape.length);
    const values = this.#values;
    const at = slot * this.#width;
    for (let j = 0; j < shape.length; j++) values[at + j] = (features[shape[j]!] as number | null) ?? Number.NaN;
    this.#names[slot] = shape;
    this.#rows[slot] = undefined;
  }

  #features(slot: number): ServingFeatures {
    const names = this.#names[slot];
    if (names === undefined) return this.#rows[slot] ?? {};
    const row: Record<string, number | null> = {};
    const at = slot * this.#width;
    for (let j = 0; j < names.length; j++) {
      const value = this.#values[at + j] as number;
      row[names[j]!] = Number.isNaN(value) ? null : value;
    }
    return row;
  }

  /** Twice the slots (at most `capacity`) in the typed columns, before the ring first wraps. */
  #grow(): void {
    const slots = Math.min(this.#capacity, Math.max(64, 2 * this.#scores.length));
    const grown = (from: Float64Array, width: number): Float64Array => {
      const to = new Float64Array(slots * width);
      to.set(from);
      return to;
    };
    this.#scores = grown(this.#scores, 1);
    this.#versions = grown(this.#versions, 1);
    this.#ats = grown(this.#ats, 1);
    this.#values = grown(this.#values, this.#width);
  }

  /** Room for rows of `width` values: the rows held so far move to the wider layout. */
  #widen(width: number): void {
    const old = this.#values;
    const oldWidth = this.#width;
    const slots = this.#scores.length;
    const values = new Float64Array(slots * width);
    for (let slot = 0; oldWidth > 0 && slot < slots; slot++) values.set(old.subarray(slot * oldWidth, (slot + 1) * oldWidth), slot * width);
    this.#values = values;
    this.#width = width;
  }
}

const NO_REASONS: readonly string[] = Object.freeze([]);

/**
 * The batch's lines as UTF-8, each encoded straight into one buffer: no joined string to
 * build, measure and convert again (three passes over the batch instead of one).
 */
function encodeLines(batch: readonly (LoggedPrediction | FeedbackRecord | ShadowRecord)[]): Buffer {
  const lines = batch.map(line);
  let most = 0;
  // A UTF-16 code unit takes at most three bytes of UTF-8.
  for (const text of lines) most += 3 * text.length;
  const out = Buffer.allocUnsafe(most);
  let at = 0;
  for (const text of lines) at += out.write(text, at, 'utf8');
  return out.subarray(0, at);
}

/** A value as JSON, `null` where JSON has none (as inside an object, minus the omitted key). */
const json = (value: unknown): string => JSON.stringify(value) ?? 'null';

function line(entry: LoggedPrediction | FeedbackRecord | ShadowRecord): string {
  if ('prediction' in entry) {
    const p = entry.prediction;
    const features = JSON.stringify(entry.features);
    // The audit trail: which version answered which request, on which inputs (by hash), with
    // what decision. Written field by field (the same bytes as stringifying the record, in a
    // third less time) with a one-shot SHA-256.
    return (
      `{"type":"prediction","id":${JSON.stringify(p.id)},"model":${JSON.stringify(p.model)},"version":${json(p.version)},"variant":${json(p.variant ?? null)},` +
      `"at":${json(entry.at)},"score":${json(p.score)},"decision":${JSON.stringify(p.decision)},"rule":${json(p.rule)},"fallback":${json(p.fallback ?? null)},` +
      `"featuresSha256":"${hash('sha256', features)}","features":${features}}\n`
    );
  }
  return `${JSON.stringify({ type: 'label' in entry ? 'feedback' : 'shadow', ...entry })}\n`;
}
