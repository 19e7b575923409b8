import { TandemError, type ErrorCode } from '../errors.js';
import type { FeatureValue } from '../features/aggregations.js';
import { formatDuration } from '../features/duration.js';
import { KEY_SEPARATOR } from '../features/entity.js';
import type { FeatureView } from '../features/feature-view.js';
import type { Project } from '../features/project.js';
import type { Source } from '../features/source.js';
import { formatEventTime, toEventTime } from './event-time.js';
import { callInput, inputValue, toRaw, toStored } from './inputs.js';
import { compiledAdmit, KEY_LOOKAHEAD, type AdmitKernel, type AdmitSlot } from './admit-kernel.js';
import { EntityIds } from './entity-ids.js';
import { EntityRecords } from './entity-records.js';
import type { PageSizes } from './ring-arena.js';
import { KeyDictionary } from './key-dictionary.js';
import { sharedFloat64Array, sharedInt32Array, sharedUint8Array } from './shared-arrays.js';
import { SourceKeys } from './source-keys.js';
import type { EntityKey } from './keys.js';
import { allocateOutputs, outputRow } from './outputs.js';
import { planView, type SlotPlan, type ViewPlan } from './plan.js';
import { evaluateRequestFeatures } from './request-eval.js';
import { countsFrom, WindowState, type FeatureOutputs, type SlotData, type WindowStateSnapshot } from './window-state.js';
import { createHash } from 'node:crypto';

type Row = Readonly<Record<string, unknown>>;

export type ApplyResult =
  | { readonly status: 'applied' }
  | { readonly status: 'rejected'; readonly code: ErrorCode; readonly reason: string };

/** An event of a batch that was not applied: its index in the batch, and why. */
export interface RejectedRow {
  readonly index: number;
  readonly status: 'rejected';
  readonly code: ErrorCode;
  readonly reason: string;
}

/** What `applyBatch` did: how many events it applied, and each one it rejected, in batch order. */
export interface BatchResult {
  readonly applied: number;
  readonly rejected: readonly RejectedRow[];
}

export interface RejectedEvent {
  readonly source: string;
  readonly event: Row;
  readonly code: ErrorCode;
  readonly reason: string;
}

export interface EntityRead {
  readonly at: number;
  readonly values: Record<string, FeatureValue>;
  /** The entity's newest event time, null when it has none. */
  readonly lastEventAt: number | null;
  /** at − lastEventAt: how old the newest information is. */
  readonly freshnessMs: number | null;
}

export interface StreamEngineOptions {
  /** Views to maintain. @default every view of the project */
  readonly views?: readonly string[];
  /** How many rejected events to keep for inspection (all are counted). @default 10_000 */
  readonly keepRejected?: number;
  /** Remember which entities events change, for `takeChanges`. @default false */
  readonly trackChanges?: boolean;
  /**
   * Sizes, in doubles, of the pages each view's state is stored in (see RingArena): the first
   * page, and the largest the doubling stops at. Small pages only cost a little memory per
   * view; tests use them to cross pages often. @default { first: 65,536, largest: 1,048,576 }
   */
  readonly pages?: PageSizes;
}

/** One entity's state in one view, serialized (see `StreamEngine.takeChanges`). */
export interface EntityState {
  readonly view: string;
  /** The entity key: its parts joined by KEY_SEPARATOR. */
  readonly key: string;
  /** JSON of the entity's window states; opaque to everything but `loadEntity`. */
  readonly state: string;
}

/** What the engine has seen, beside the entities' states: saved with them to go on exactly. */
export interface EngineProgress {
  readonly watermarks: readonly (readonly [string, number])[];
  readonly applied: number;
  readonly rejected: number;
}

export interface ReadOptions {
  /** Read as of this time (epoch ms); the window is [at − w, at). @default Date.now() */
  readonly at?: number;
}

interface SnapshotHeader {
  readonly kind: 'tandem-snapshot';
  /**
   * 2: a finite window's sums hold the newest event's window only (with the count of older
   * retained events); 1: they held every retained event (still read, converted on restore).
   */
  readonly version: 1 | 2;
  readonly views: readonly { readonly name: string; readonly fingerprint: string }[];
  readonly watermarks: readonly [string, number][];
  readonly applied: number;
  readonly rejected: number;
  readonly meta: Record<string, unknown>;
}

/** What a view's state depends on: its windows, inputs (functions by their source) and lateness. */
function fingerprint(plan: ViewPlan): string {
  const shape = {
    lateness: plan.allowedLatenessMs,
    slots: plan.slots.map((s) => [s.transform, typeof s.input === 'string' ? s.input : s.input.toString()]),
    windows: plan.windows.map((w) => [String(w.windowMs), w.columns, w.features.map((f) => [f.name, f.aggregation, f.column, f.k])]),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 32);
}

/** One view's live state: entity ids and, per window length, every entity's state. */
class ViewRuntime {
  readonly plan: ViewPlan;
  readonly ids: EntityIds;
  /** Each entity's record, all windows' parts together. */
  readonly records: EntityRecords;
  readonly windows: readonly WindowState[];
  /** The windows that apply events: all but those that count from another's ring. */
  readonly ringWindows: readonly WindowState[];
  readonly data: SlotData;
  readonly out: FeatureOutputs;
  /** Entities changed since the last `takeChanges`, when changes are tracked. */
  readonly changed: number[] = [];
  #changedFlags: Uint8Array = new Uint8Array(0);
  #empty: Record<string, FeatureValue> | undefined;

  constructor(view: FeatureView, dictionary: (field: string) => KeyDictionary, pages?: PageSizes) {
    this.plan = planView(view);
    this.records = new EntityRecords(pages);
    this.ids = new EntityIds(view.entity, view.entity.keys.map(dictionary));
    // Windows that count from another are made after it; the order of `windows` is the plan's.
    const hosts = countsFrom(this.plan.windows);
    const windows = new Array<WindowState>(hosts.length);
    this.plan.windows.forEach((w, i) => {
      if (hosts[i]! < 0) windows[i] = new WindowState(w, this.plan.allowedLatenessMs, this.records);
    });
    this.plan.windows.forEach((w, i) => {
      if (hosts[i]! >= 0) windows[i] = new WindowState(w, this.plan.allowedLatenessMs, this.records, windows[hosts[i]!]);
    });
    this.windows = windows;
    this.ringWindows = windows.filter((w) => !w.counting);
    this.data = {
      num: this.plan.slots.map((s) => (s.transform === 'raw' ? undefined : new Float64Array(1))),
      any: this.plan.slots.map((s) => (s.transform === 'raw' ? [null] : undefined)),
    };
    this.out = allocateOutputs(this.plan, 1);
  }

  /** Add an entity from its key parts' ids (see EntityIds.add); its id is the same in every window. */
  addEntity(parts: Int32Array, positions: Int32Array): number {
    const id = this.ids.add(parts, positions);
    this.records.add();
    for (const window of this.windows) window.initEntity(id);
    return id;
  }

  markChanged(id: number): void {
    if (id >= this.#changedFlags.length) {
      const grown = sharedUint8Array(Math.max(64, this.#changedFlags.length * 2, id + 1));
      grown.set(this.#changedFlags);
      this.#changedFlags = grown;
    }
    if (this.#changedFlags[id] === 1) return;
    this.#changedFlags[id] = 1;
    this.changed.push(id);
  }

  /** The entities changed since the last call, emptied. */
  takeChanged(): number[] {
    const ids = this.changed.splice(0);
    for (const id of ids) this.#changedFlags[id] = 0;
    return ids;
  }

  /** Entity `id`'s state: its key parts when the joined key would not split back, and each window's state. */
  entityState(id: number): { k: string; p?: string[]; s: WindowStateSnapshot[] } {
    const parts = this.ids.parts(id);
    const k = parts.join(KEY_SEPARATOR);
    const windows = this.windows;
    const s = new Array<WindowStateSnapshot>(windows.length);
    for (let w = 0; w < windows.length; w++) s[w] = windows[w]!.snapshot(id);
    // A composite key with a part holding the separator itself would not split back: give the parts too.
    return parts.length === 1 || k.split(KEY_SEPARATOR).length === parts.length ? { k, s } : { k, p: parts, s };
  }

  /** The key parts of a saved entity, checked against the view's entity. */
  savedParts(k: string, p: string[] | undefined): string[] {
    const fields = this.plan.view.entity.keys.length;
    const parts = p ?? (fields === 1 ? [k] : k.split(KEY_SEPARATOR));
    if (parts.length !== fields) {
      throw new TandemError('TANDEM_USAGE', `the saved key '${k}' of view '${this.plan.view.name}' does not have the ${fields} parts of its entity's key`);
    }
    return parts;
  }

  /** Evaluate every input of the view for one event into the one-row slot buffers. */
  evaluate(event: Row): void {
    this.evaluateInto(event, this.data, 0);
  }

  /**
   * Evaluate the inputs of the view for one event into row `row` of `data`: every one, or
   * those `own` marks (the rest being columns another view of the batch fills; see
   * `SourceRuntime.ownSlots`).
   */
  evaluateInto(event: Row, data: SlotData, row: number, own?: Uint8Array): void {
    const slots = this.plan.slots;
    for (let s = 0; s < slots.length; s++) {
      if (own !== undefined && own[s] === 0) continue;
      const slot = slots[s]!;
      const value = inputValue(slot, event);
      if (slot.transform === 'raw') (data.any[s] as unknown[])[row] = toRaw(value);
      else data.num[s]![row] = toStored(slot.transform, value, slot);
    }
  }

  /** Slot buffers of `rows` rows for this view's inputs. */
  slotData(rows: number): SlotData {
    return {
      num: this.plan.slots.map((s) => (s.transform === 'raw' ? undefined : sharedFloat64Array(rows))),
      any: this.plan.slots.map((s) => (s.transform === 'raw' ? new Array<unknown>(rows).fill(null) : undefined)),
    };
  }

  /** Per entity: the batch row of its latest event while a batch is grouped, -1 otherwise. */
  #lastRow: Int32Array = new Int32Array(0);
  /** Counts of a batch's groups per id bucket, then where each bucket starts. */
  #bucketCounts: Int32Array = new Int32Array(0);
  /** A batch's rows gathered in entity order: times and inputs, read in sequence by the windows. */
  #gathered: Gathered | undefined;

  /**
   * Apply rows [0, count) of a batch, entity by entity (in id order, see BUCKET_SHIFT): each
   * entity's rows in batch order, every window over them, then the next entity. `ids` and
   * `times` hold each row's entity and event time; `next` and `firsts` are scratch of `count`
   * rows. The rows' times and inputs are first gathered in that order, so that each window
   * reads them in sequence.
   */
  applyGrouped(ids: Int32Array, times: Float64Array, data: SlotData, count: number, next: Int32Array, firsts: Int32Array, track: boolean): void {
    // One function per pass: each loops over the batch once, so V8 optimises each whole
    // (one long function was compiled on the fly in its first loop, before the later ones
    // had run, and fell back to the interpreter at each of them, batch after batch).
    const groups = this.#group(ids, count, next, firsts);
    let gathered = this.#gathered;
    if (gathered === undefined || gathered.times.length < count) {
      this.#gathered = gathered = { rows: sharedInt32Array(times.length), times: sharedFloat64Array(times.length), data: this.slotData(times.length) };
    }
    if (groups > 64) this.#inIdOrder(ids, firsts, groups, gathered.rows);
    this.#gather(ids, times, data, count, next, firsts, groups, gathered);
    this.#applyGroups(ids, gathered, count, firsts, groups, track);
  }

  /** Chain each entity's rows of the batch (`next`, -1 ends) and list each entity's first row in `firsts`; returns how many entities. */
  #group(ids: Int32Array, count: number, next: Int32Array, firsts: Int32Array): number {
    if (this.#lastRow.length < this.ids.size) {
      const grown = sharedInt32Array(Math.max(64, this.ids.size * 2)).fill(-1);
      grown.set(this.#lastRow);
      this.#lastRow = grown;
    }
    const last = this.#lastRow;
    let groups = 0;
    for (let r = 0; r < count; r++) {
      const id = ids[r]!;
      const previous = last[id]!;
      if (previous < 0) firsts[groups++] = r;
      else next[previous] = r;
      last[id] = r;
      next[r] = -1;
    }
    return groups;
  }

  /** Sort the groups' first rows in id order, to BUCKET_SHIFT bits (a counting sort), through `scratch`. */
  #inIdOrder(ids: Int32Array, firsts: Int32Array, groups: number, scratch: Int32Array): void {
    const buckets = (this.ids.size >> BUCKET_SHIFT) + 1;
    let counts = this.#bucketCounts;
    if (counts.length < buckets + 1) counts = this.#bucketCounts = sharedInt32Array(2 * buckets + 1);
    else counts.fill(0, 0, buckets + 1);
    for (let g = 0; g < groups; g++) counts[(ids[firsts[g]!]! >> BUCKET_SHIFT) + 1]!++;
    for (let b = 1; b <= buckets; b++) counts[b]! += counts[b - 1]!;
    for (let g = 0; g < groups; g++) {
      const first = firsts[g]!;
      scratch[counts[ids[first]! >> BUCKET_SHIFT]!++] = first;
    }
    firsts.set(scratch.subarray(0, groups));
  }

  /**
   * The batch rows in entity order into `gathered.rows`, with their times and inputs; `firsts`
   * becomes each group's first position in that order.
   */
  #gather(ids: Int32Array, times: Float64Array, data: SlotData, count: number, next: Int32Array, firsts: Int32Array, groups: number, gathered: Gathered): void {
    const last = this.#lastRow;
    const rows = gathered.rows;
    let k = 0;
    for (let g = 0; g < groups; g++) {
      let r = firsts[g]!;
      last[ids[r]!] = -1;
      firsts[g] = k;
      for (; r >= 0; r = next[r]!) rows[k++] = r;
    }
    const order = gathered.times;
    for (let j = 0; j < count; j++) order[j] = times[rows[j]!]!;
    for (let s = 0; s < this.plan.slots.length; s++) {
      const from = data.num[s];
      if (from !== undefined) {
        const to = gathered.data.num[s]!;
        for (let j = 0; j < count; j++) to[j] = from[rows[j]!]!;
      } else {
        const fromAny = data.any[s]!;
        const toAny = gathered.data.any[s] as unknown[];
        for (let j = 0; j < count; j++) toAny[j] = fromAny[rows[j]!];
      }
    }
  }

  /** Every window over each group's gathered rows, entity by entity, loading later entities' state ahead. */
  #applyGroups(ids: Int32Array, gathered: Gathered, count: number, firsts: Int32Array, groups: number, track: boolean): void {
    const windows = this.ringWindows;
    const rows = gathered.rows;
    const order = gathered.times;
    const gatheredData = gathered.data;
    let touched = 0;
    for (let g = 0; g < groups; g++) {
      const from = firsts[g]!;
      const to = g + 1 < groups ? firsts[g + 1]! : count;
      const id = ids[rows[from]!]!;
      if (g + AHEAD < groups) {
        // Start loading a later entity's record and rings while this one is applied.
        const later = ids[rows[firsts[g + AHEAD]!]!]!;
        touched += this.records.touch(later);
        for (let w = 0; w < windows.length; w++) touched += windows[w]!.touch(later);
      }
      for (let w = 0; w < windows.length; w++) windows[w]!.applyRun(id, order, gatheredData, from, to);
      if (track) this.markChanged(id);
    }
    readAhead[0] = touched;
  }

  /** Entity `id`'s newest event time over its windows, undefined without any (or for id -1). */
  newest(id: number): number | undefined {
    if (id < 0) return undefined;
    let newest = -Infinity;
    for (const window of this.windows) newest = Math.max(newest, window.newest(id));
    return Number.isFinite(newest) ? newest : undefined;
  }

  read(id: number, at: number): Record<string, FeatureValue> {
    if (id < 0) {
      if (this.#empty === undefined) {
        const empty = new ViewRuntime(this.plan.view, () => new KeyDictionary());
        empty.records.add();
        for (const window of empty.windows) window.initEntity(0);
        this.#empty = empty.read(0, 0);
      }
      return { ...this.#empty };
    }
    for (const window of this.windows) window.read(id, at, this.out, 0);
    return outputRow(this.plan, this.out, 0);
  }
}

/** A source's views and the scratch of applying one event to them. */
interface SourceRuntime {
  readonly source: Source;
  readonly runtimes: readonly ViewRuntime[];
  readonly keys: SourceKeys;
  /** Per view: where its key fields are in `keys.parts`. */
  readonly positions: readonly Int32Array[];
  /** Each view's entity id for the event being applied. */
  readonly ids: Int32Array;
  /**
   * Per view and slot, 1 where `applyBatch` evaluates the input for that view, 0 where an
   * earlier view of the source reads the same field with the same conversion: the batch's
   * column is then shared, filled once (a field's conversion names the field alone in its
   * errors, so the first error is the same either way).
   */
  readonly ownSlots: readonly Uint8Array[];
  /** `applyBatch`'s generated admission loop and its arguments, undefined where code generation is off. */
  readonly admit: SourceAdmit | undefined;
  /** The newest event time applied, -Infinity before any. */
  watermark: number;
}

/** A source's generated admission loop (admit-kernel.ts) and what it is called with. */
interface SourceAdmit {
  readonly kernel: AdmitKernel;
  /** The time field, then the key fields and input fields it reads. */
  readonly fields: readonly string[];
  readonly entities: readonly EntityIds[];
  /** The slots it fills, in order: view, slot, plan and function. */
  readonly views: Int32Array;
  readonly slots: Int32Array;
  readonly plans: readonly SlotPlan[];
  readonly inputs: readonly (((event: Row) => unknown) | undefined)[];
  /** The views whose entities it leaves to the caller (AdmitShape.deferred): those with composite keys. */
  readonly deferred: Int32Array;
}

/** The admission loop for a source's views, the slots `ownSlots` gives them (see admit-kernel.ts). */
function sourceAdmit(source: Source, runtimes: readonly ViewRuntime[], keys: SourceKeys, own: readonly Uint8Array[]): SourceAdmit | undefined {
  const fields = [source.timestamp];
  const field = (name: string): number => {
    const at = fields.indexOf(name);
    return at >= 0 ? at : fields.push(name) - 1;
  };
  const keyFields = keys.fields.map(field);
  const views: number[] = [];
  const slots: number[] = [];
  const plans: SlotPlan[] = [];
  const inputs: (((event: Row) => unknown) | undefined)[] = [];
  const shape: AdmitSlot[] = [];
  runtimes.forEach((runtime, v) =>
    runtime.plan.slots.forEach((plan, s) => {
      if (own[v]![s] === 0) return;
      views.push(v);
      slots.push(s);
      plans.push(plan);
      inputs.push(typeof plan.input === 'string' ? undefined : plan.input);
      shape.push({ plan, field: typeof plan.input === 'string' ? field(plan.input) : -1 });
    }),
  );
  const deferred = runtimes.map((runtime) => runtime.ids.composite);
  const kernel = compiledAdmit({ time: 0, keys: keyFields, views: runtimes.length, deferred, slots: shape });
  if (kernel === undefined) return undefined;
  return {
    kernel,
    fields,
    entities: runtimes.map((runtime) => runtime.ids),
    views: Int32Array.from(views),
    slots: Int32Array.from(slots),
    plans,
    inputs,
    deferred: Int32Array.from(runtimes.keys()).filter((v) => deferred[v]),
  };
}

/** What the admission loop converts inputs with: the interpreted loop's own functions. */
const CONVERT = { callInput, toStored, toRaw };

/** What makes two views' slots the same column of a batch: a field and its conversion (none for functions and raw values). */
function sharedKey(slot: SlotPlan): string | undefined {
  return typeof slot.input === 'string' && slot.transform !== 'raw' ? `${slot.transform}:${slot.input}` : undefined;
}

/** Which slots of each view `applyBatch` evaluates (see `SourceRuntime.ownSlots`). */
function ownSlots(runtimes: readonly ViewRuntime[]): Uint8Array[] {
  const seen = new Set<string>();
  return runtimes.map((runtime) =>
    Uint8Array.from(runtime.plan.slots, (slot) => {
      const key = sharedKey(slot);
      if (key === undefined) return 1;
      if (seen.has(key)) return 0;
      seen.add(key);
      return 1;
    }),
  );
}

/** Each view's slot buffers for `rows` rows: a slot `ownSlots` leaves to an earlier view gets that view's column. */
function sharedSlotData(state: SourceRuntime, rows: number): SlotData[] {
  const columns = new Map<string, Float64Array>();
  return state.runtimes.map((runtime, v) => {
    const data = runtime.slotData(rows);
    const num = data.num.map((column, s) => {
      const key = sharedKey(runtime.plan.slots[s]!);
      if (column === undefined || key === undefined) return column;
      if (state.ownSlots[v]![s] === 0) return columns.get(key)!;
      columns.set(key, column);
      return column;
    });
    return { num, any: data.any };
  });
}

/** A batch's rows gathered in entity order (`ViewRuntime.applyGrouped`): their rows, times and inputs. */
interface Gathered {
  readonly rows: Int32Array;
  readonly times: Float64Array;
  readonly data: SlotData;
}

/** Where `applyBatch` keeps a batch's rows: times, each view's entity ids and inputs, and grouping scratch. */
interface BatchScratch {
  readonly times: Float64Array;
  readonly ids: readonly Int32Array[];
  readonly data: readonly SlotData[];
  readonly next: Int32Array;
  readonly firsts: Int32Array;
  /** The columns the admission loop fills (SourceAdmit's slots), empty without one. */
  readonly admitColumns: readonly (Float64Array | unknown[])[];
  /** Per view, 1 where the batch being admitted applies it. */
  readonly applied: Uint8Array;
  /** Per key field of the source, its part ids, where the admission loop leaves views' entities to `#admitEntities`; empty otherwise. */
  readonly keyColumns: readonly Int32Array[];
  /** The admission loop's key ids looked up ahead (KEY_LOOKAHEAD rows). */
  readonly keyIds: Int32Array;
}

const APPLIED: ApplyResult = Object.freeze({ status: 'applied' });
/** The event time of `apply`'s event, as the one-row run `WindowState.applyRun` takes. */
const ONE_TIME = new Float64Array(1);
/**
 * Where `apply` and `applyGrouped` leave a number made of what they read ahead of time (see
 * WindowState.touch), so the reads stay. A typed array: an object's field would change its
 * representation the first time the number was not a small integer, and the code storing it
 * would be thrown away.
 */
const readAhead = new Float64Array(1);
/**
 * How many entities ahead `applyGrouped` starts loading records and rings: 3–6 % faster over
 * the bench's batches than none (bench/README.md, "The stream driver").
 */
const AHEAD = 3;
/**
 * `applyGrouped` visits a batch's entities in order of their ids, to this many bits: the
 * entities of ids 0–15 first (in order of their first event), then 16–31, and so on. Ids
 * follow first appearance, not the order events come back in, so a pair view's batch of
 * 100,000 events touches records all over its state; in id order, records sharing a memory
 * page come one after another. On the bench's events each view alone applied them in
 * 0.82 (pairs) to 0.96 of the time (bench/README.md, "The stream driver").
 */
const BUCKET_SHIFT = 4;

/**
 * The stream driver: applies events as they arrive (out of order up to each source's allowed
 * lateness) and answers any entity's features as of now, or as of a recent time.
 */
export class StreamEngine {
  readonly #project: Project;
  readonly #views = new Map<string, ViewRuntime>();
  readonly #sources = new Map<string, SourceRuntime>();
  /** Watermarks of sources this project does not have (from a snapshot), kept to be saved again. */
  readonly #foreignWatermarks = new Map<string, number>();
  /** The source of the last `apply`: events mostly come from one source. */
  #lastSource: SourceRuntime | undefined;
  readonly #rejected: RejectedEvent[] = [];
  readonly #keepRejected: number;
  #rejectedCount = 0;
  #appliedCount = 0;
  readonly #trackChanges: boolean;
  readonly #batches = new Map<SourceRuntime, BatchScratch>();
  /** The admission loop's position and counters (see `applyBatch`). */
  readonly #admitted = new Float64Array(4);

  constructor(project: Project, options: StreamEngineOptions = {}) {
    this.#project = project;
    this.#keepRejected = options.keepRejected ?? 10_000;
    this.#trackChanges = options.trackChanges ?? false;
    const names = options.views ?? [...project.views.keys()];
    const dictionaries = new Map<string, KeyDictionary>();
    const dictionary = (field: string): KeyDictionary => {
      let found = dictionaries.get(field);
      if (found === undefined) dictionaries.set(field, (found = new KeyDictionary()));
      return found;
    };
    for (const name of names) this.#views.set(name, new ViewRuntime(this.#view(name), dictionary, options.pages));
    for (const source of project.sources.values()) {
      const runtimes = [...this.#views.values()].filter((runtime) => runtime.plan.view.source === source);
      const keys = new SourceKeys(runtimes.map((runtime) => runtime.plan.view.entity), dictionary);
      const positions = runtimes.map((runtime) => keys.positions(runtime.plan.view.entity));
      const own = ownSlots(runtimes);
      const admit = sourceAdmit(source, runtimes, keys, own);
      this.#sources.set(source.name, { source, runtimes, keys, positions, ids: new Int32Array(runtimes.length), ownSlots: own, admit, watermark: -Infinity });
    }
  }

  /** Rejected events kept for inspection, oldest first (at most `keepRejected`). */
  get rejected(): readonly RejectedEvent[] {
    return this.#rejected;
  }

  get rejectedCount(): number {
    return this.#rejectedCount;
  }

  get appliedCount(): number {
    return this.#appliedCount;
  }

  /** The newest event time applied for a source, -Infinity before any. */
  watermark(source: string): number {
    return this.#sources.get(source)?.watermark ?? this.#foreignWatermarks.get(source) ?? -Infinity;
  }

  /** Every source's watermark that has one, the project's sources first. */
  #watermarkEntries(): [string, number][] {
    const entries: [string, number][] = [];
    for (const [name, state] of this.#sources) if (state.watermark !== -Infinity) entries.push([name, state.watermark]);
    return [...entries, ...this.#foreignWatermarks];
  }

  #setWatermarks(entries: Iterable<readonly [string, number]>): void {
    for (const state of this.#sources.values()) state.watermark = -Infinity;
    this.#foreignWatermarks.clear();
    for (const [source, watermark] of entries) {
      const state = this.#sources.get(source);
      if (state === undefined) this.#foreignWatermarks.set(source, watermark);
      else state.watermark = watermark;
    }
  }

  /**
   * `read` with context: the time read as of, the entity's newest event and how long ago it
   * was (its freshness), as the HTTP API answers them.
   */
  readEntity(view: string, key: EntityKey, options: ReadOptions = {}): EntityRead {
    const runtime = this.#runtime(view);
    const at = this.#checkAt(runtime.plan, options.at);
    // One key lookup for the values and the newest event.
    const id = runtime.ids.findKey(key);
    const values = runtime.read(id, at);
    const newest = runtime.newest(id);
    return { at, values, lastEventAt: newest ?? null, freshnessMs: newest === undefined ? null : at - newest };
  }

  /** When the entity's newest event happened (epoch ms), undefined if it has none in this view. */
  newestEvent(view: string, key: EntityKey): number | undefined {
    const runtime = this.#runtime(view);
    return runtime.newest(runtime.ids.findKey(key));
  }

  /** The name of a source's timestamp field. */
  sourceTimestamp(source: string): string {
    return (this.#sources.get(source) ?? this.#unknownSource(source)).source.timestamp;
  }

  /** Number of entities with state in a view. */
  entityCount(view: string): number {
    return this.#runtime(view).ids.size;
  }

  /**
   * Apply one event of `sourceName`. Events that cannot be applied (bad time, missing key,
   * a feature input of the wrong type, later than the allowed lateness) are rejected with a
   * reason and leave the state untouched. `only`: apply to these of the source's views alone
   * (a partition of the state holds some views' entities of an event, another the rest).
   */
  apply(sourceName: string, event: Row, only?: ReadonlySet<string>): ApplyResult {
    let state = this.#lastSource;
    if (state === undefined || state.source.name !== sourceName) this.#lastSource = state = this.#sources.get(sourceName) ?? this.#unknownSource(sourceName);
    const source = state.source;
    const runtimes = state.runtimes;
    const raw = event[source.timestamp];
    const t = toEventTime(raw);
    const watermark = state.watermark;
    if (t !== t || t < watermark - source.allowedLatenessMs) return this.#rejectTime(source, event, t, watermark);
    // Feature functions see the event time as epoch ms, as they do in backfill.
    const normalized = raw === t ? event : { ...event, [source.timestamp]: t };
    const ids = state.ids;
    const keys = state.keys;
    const positions = state.positions;
    try {
      keys.find(normalized);
    } catch (error) {
      if (error instanceof TandemError) return this.#reject(source, event, error.code, error.message);
      throw error;
    }
    // Load the entities' records, then their rings, before applying to any (see
    // EntityRecords.touch); the evaluation below runs while the loads are in flight.
    let touched = 0;
    let added = false;
    for (let i = 0; i < runtimes.length; i++) {
      const id = (ids[i] = runtimes[i]!.ids.find(keys.parts, positions[i]!));
      if (id < 0) added = true;
      else touched += runtimes[i]!.records.touch(id);
    }
    for (let i = 0; i < runtimes.length; i++) {
      const id = ids[i]!;
      if (id < 0) continue;
      const windows = runtimes[i]!.ringWindows;
      for (let w = 0; w < windows.length; w++) touched += windows[w]!.touch(id);
    }
    readAhead[0] = touched;
    // Evaluate and apply view by view; evaluation errors are found before the first state
    // changes because every view's inputs are evaluated before any is applied.
    try {
      for (const runtime of runtimes) runtime.evaluate(normalized);
    } catch (error) {
      if (error instanceof TandemError) return this.#reject(source, event, error.code, error.message);
      throw error;
    }
    if (added) keys.addMissing(normalized);
    for (let i = 0; i < runtimes.length; i++) {
      const runtime = runtimes[i]!;
      if (only !== undefined && !only.has(runtime.plan.view.name)) continue;
      let id = ids[i]!;
      if (id < 0) id = runtime.addEntity(keys.parts, positions[i]!);
      const windows = runtime.ringWindows;
      // A run of one event: the window's generated loop where it has one (WindowState.applyRun).
      ONE_TIME[0] = t;
      for (let w = 0; w < windows.length; w++) windows[w]!.applyRun(id, ONE_TIME, runtime.data, 0, 1);
      if (this.#trackChanges) runtime.markChanged(id);
    }
    if (t > watermark) state.watermark = t;
    this.#appliedCount++;
    return APPLIED;
  }

  /**
   * Apply `events` of one source as `apply` would one after another — the same rejections,
   * the same state — but view by view and, within a view, entity by entity: an entity's
   * events of the batch are applied together, while its state is in the cache.
   */
  applyBatch(sourceName: string, events: readonly Row[], only?: ReadonlySet<string>): BatchResult {
    let state = this.#lastSource;
    if (state === undefined || state.source.name !== sourceName) this.#lastSource = state = this.#sources.get(sourceName) ?? this.#unknownSource(sourceName);
    const source = state.source;
    const runtimes = state.runtimes;
    const nv = runtimes.length;
    const n = events.length;
    const batch = this.#batchFor(state, n);
    const rejected: RejectedRow[] = [];
    const keys = state.keys;
    const positions = state.positions;
    const ownSlots = state.ownSlots;
    let watermark = state.watermark;
    let count = 0;
    let admit = state.admit;
    const admitted = this.#admitted;
    admitted[3] = source.allowedLatenessMs;
    const applied = batch.applied;
    for (let v = 0; v < nv; v++) applied[v] = only === undefined || only.has(runtimes[v]!.plan.view.name) ? 1 : 0;
    // Calls of the generated loop that admitted no event (see below).
    let stalls = 0;
    try {
      for (let i = 0; i < n; i++) {
        if (admit !== undefined) {
          // The generated loop admits the common events; it stops at one it leaves to the
          // loop below (see admit-kernel.ts).
          admitted[0] = i;
          admitted[1] = count;
          admitted[2] = watermark;
          const from = count;
          try {
            admit.kernel(events, n, admitted, admit.fields, keys.dictionaries, keys.parts, admit.entities, runtimes, positions, batch.ids, applied, batch.keyColumns, batch.keyIds, batch.times, batch.admitColumns, admit.plans, admit.inputs, CONVERT);
          } catch (error) {
            this.#admitEntities(state, admit, batch, from, admitted[1]!);
            count = admitted[1]!;
            watermark = admitted[2]!;
            if (!(error instanceof TandemError)) throw error;
            i = admitted[0]!;
            rejected.push({ index: i, ...this.#reject(source, events[i]!, error.code, error.message) });
            continue;
          }
          // Events it never takes (times as strings, say) would cost a call each: give up
          // on it for the batch once most calls admit nothing.
          this.#admitEntities(state, admit, batch, from, admitted[1]!);
          if (admitted[0] === i && ++stalls > 32 && 2 * stalls > i) admit = undefined;
          i = admitted[0]!;
          count = admitted[1]!;
          watermark = admitted[2]!;
          if (i >= n) break;
        }
        const event = events[i]!;
        const raw = event[source.timestamp];
        const t = toEventTime(raw);
        if (t !== t || t < watermark - source.allowedLatenessMs) {
          rejected.push({ index: i, ...this.#rejectTime(source, event, t, watermark) });
          continue;
        }
        const normalized = raw === t ? event : { ...event, [source.timestamp]: t };
        let added = false;
        try {
          keys.find(normalized);
          for (let v = 0; v < nv; v++) {
            const id = (batch.ids[v]![count] = runtimes[v]!.ids.find(keys.parts, positions[v]!));
            if (id < 0) added = true;
          }
          for (let v = 0; v < nv; v++) runtimes[v]!.evaluateInto(normalized, batch.data[v]!, count, ownSlots[v]);
        } catch (error) {
          if (error instanceof TandemError) {
            rejected.push({ index: i, ...this.#reject(source, event, error.code, error.message) });
            continue;
          }
          throw error;
        }
        if (added) {
          keys.addMissing(normalized);
          for (let v = 0; v < nv; v++) {
            const runtime = runtimes[v]!;
            if (batch.ids[v]![count]! < 0 && (only === undefined || only.has(runtime.plan.view.name))) batch.ids[v]![count] = runtime.addEntity(keys.parts, positions[v]!);
          }
        }
        batch.times[count] = t;
        if (t > watermark) watermark = t;
        count++;
      }
    } finally {
      // A feature function that throws (a bug to surface, not a rejection) ends the batch at
      // its event; the events before it are applied, as one by one they would have been.
      for (let v = 0; v < nv; v++) {
        const runtime = runtimes[v]!;
        if (only !== undefined && !only.has(runtime.plan.view.name)) continue;
        runtime.applyGrouped(batch.ids[v]!, batch.times, batch.data[v]!, count, batch.next, batch.firsts, this.#trackChanges);
      }
      state.watermark = watermark;
      this.#appliedCount += count;
    }
    return { applied: count, rejected };
  }

  /**
   * The entities of rows [from, to) that the admission loop admitted, for the views it left
   * them to (SourceAdmit.deferred), found in one pass over the rows and then added in row
   * order where new, as the loop adds the other views' entities: before the next event.
   */
  #admitEntities(state: SourceRuntime, admit: SourceAdmit, batch: BatchScratch, from: number, to: number): void {
    const deferred = admit.deferred;
    if (deferred.length === 0 || to <= from) return;
    const columns = batch.keyColumns;
    const parts = state.keys.parts;
    for (let k = 0; k < deferred.length; k++) {
      const v = deferred[k]!;
      const runtime = state.runtimes[v]!;
      const positions = state.positions[v]!;
      const ids = batch.ids[v]!;
      runtime.ids.findRows(columns, positions, from, to, ids);
      if (batch.applied[v] !== 1) continue;
      for (let r = from; r < to; r++) {
        if (ids[r]! >= 0) continue;
        for (let f = 0; f < columns.length; f++) parts[f] = columns[f]![r]!;
        // An earlier row of these may have added it.
        const id = runtime.ids.find(parts, positions);
        ids[r] = id >= 0 ? id : runtime.addEntity(parts, positions);
      }
    }
  }

  /** The batch scratch of a source, for at least `rows` events. */
  #batchFor(state: SourceRuntime, rows: number): BatchScratch {
    let batch = this.#batches.get(state);
    if (batch === undefined || batch.times.length < rows) {
      const size = Math.max(rows, 2 * (batch?.times.length ?? 0), 64);
      const data = sharedSlotData(state, size);
      const admit = state.admit;
      batch = {
        times: sharedFloat64Array(size),
        ids: state.runtimes.map(() => sharedInt32Array(size)),
        data,
        next: sharedInt32Array(size),
        firsts: sharedInt32Array(size),
        applied: new Uint8Array(state.runtimes.length),
        keyColumns: admit === undefined || admit.deferred.length === 0 ? [] : state.keys.fields.map(() => sharedInt32Array(size)),
        keyIds: new Int32Array(admit === undefined ? 0 : KEY_LOOKAHEAD * state.keys.fields.length),
        admitColumns: admit === undefined ? [] : Array.from(admit.views, (v, k) => data[v]!.num[admit.slots[k]!] ?? (data[v]!.any[admit.slots[k]!] as unknown[])),
      };
      this.#batches.set(state, batch);
    }
    return batch;
  }

  /**
   * The features of one entity as of `at` (default now): window [at − w, at) for each.
   * Reads are exact for any time at or after the source's watermark minus its allowed
   * lateness; older reads throw, since the state no longer holds what they need.
   */
  read(view: string, key: EntityKey, options: ReadOptions = {}): Record<string, FeatureValue> {
    const runtime = this.#runtime(view);
    const at = this.#checkAt(runtime.plan, options.at);
    return runtime.read(runtime.ids.findKey(key), at);
  }

  /**
   * The engine's state as lines of JSON: a header (views and their definitions' fingerprints,
   * watermarks, counters, `meta`), then one line per entity of each view. `restore` rebuilds
   * an engine that reads — and goes on — exactly as this one.
   */
  *snapshotLines(meta: Readonly<Record<string, unknown>> = {}): Generator<string> {
    const views = [...this.#views.values()];
    const header: SnapshotHeader = {
      kind: 'tandem-snapshot',
      version: 2,
      views: views.map((runtime) => ({ name: runtime.plan.view.name, fingerprint: fingerprint(runtime.plan) })),
      watermarks: this.#watermarkEntries(),
      applied: this.#appliedCount,
      rejected: this.#rejectedCount,
      meta,
    };
    yield JSON.stringify(header);
    for (const [v, runtime] of views.entries()) {
      for (let id = 0; id < runtime.ids.size; id++) yield JSON.stringify({ v, ...runtime.entityState(id) });
    }
  }

  /**
   * The states of the entities events changed since the last call (needs `trackChanges`):
   * what a partitioned stream worker writes to the shared online state with its offset.
   */
  takeChanges(): EntityState[] {
    const changes: EntityState[] = [];
    for (const runtime of this.#views.values()) {
      for (const id of runtime.takeChanged()) {
        const { k, p, s } = runtime.entityState(id);
        changes.push({ view: runtime.plan.view.name, key: k, state: JSON.stringify(p === undefined ? { s } : { p, s }) });
      }
    }
    return changes;
  }

  /**
   * Set one entity's state from `takeChanges` output (undefined: no state, as if it had never
   * had an event), replacing what the engine held for it. Reads and later events then go on
   * exactly as in the engine the state came from.
   */
  loadEntity(view: string, key: string, state: string | undefined): void {
    const runtime = this.#runtime(view);
    let saved: { p?: string[]; s: WindowStateSnapshot[] } | undefined;
    if (state !== undefined) {
      saved = JSON.parse(state) as { p?: string[]; s: WindowStateSnapshot[] };
      if (!Array.isArray(saved.s) || saved.s.length !== runtime.windows.length) {
        throw new TandemError('TANDEM_USAGE', `the saved state of '${key}' in view '${view}' does not match the view's ${runtime.windows.length} windows`);
      }
    }
    const parts = runtime.savedParts(key, saved?.p);
    let id = runtime.ids.findKey(parts);
    if (id < 0) {
      if (saved === undefined) return;
      id = runtime.ids.addParts(parts);
      runtime.records.add();
      saved.s.forEach((snap, w) => runtime.windows[w]!.restore(id, snap));
      return;
    }
    for (const [w, window] of runtime.windows.entries()) {
      window.clear(id);
      if (saved !== undefined) window.restore(id, saved.s[w]!);
    }
  }

  /** Watermarks and counters, to save beside the entities' states (see `restoreProgress`). */
  progress(): EngineProgress {
    return { watermarks: this.#watermarkEntries(), applied: this.#appliedCount, rejected: this.#rejectedCount };
  }

  restoreProgress(progress: EngineProgress): void {
    this.#setWatermarks(progress.watermarks);
    this.#appliedCount = progress.applied;
    this.#rejectedCount = progress.rejected;
  }

  /** Each maintained view's definition fingerprint: state saved under others must not be loaded. */
  fingerprints(): Record<string, string> {
    return Object.fromEntries([...this.#views.values()].map((runtime) => [runtime.plan.view.name, fingerprint(runtime.plan)]));
  }

  /** An engine from `snapshotLines` output; refuses a snapshot taken with other view definitions. */
  static async restore(project: Project, lines: Iterable<string> | AsyncIterable<string>): Promise<{ engine: StreamEngine; meta: Record<string, unknown> }> {
    let engine: StreamEngine | undefined;
    let runtimes: ViewRuntime[] = [];
    let meta: Record<string, unknown> = {};
    for await (const line of lines) {
      if (line.trim() === '') continue;
      if (engine === undefined) {
        const header = JSON.parse(line) as SnapshotHeader;
        if (header.kind !== 'tandem-snapshot' || (header.version !== 1 && header.version !== 2)) {
          throw new TandemError('TANDEM_USAGE', 'not a Tandem snapshot, or one from an incompatible version');
        }
        engine = new StreamEngine(project, { views: header.views.map((v) => v.name) });
        runtimes = header.views.map((v) => engine!.#runtime(v.name));
        header.views.forEach((v, i) => {
          if (fingerprint(runtimes[i]!.plan) !== v.fingerprint) {
            throw new TandemError(
              'TANDEM_USAGE',
              `the snapshot was taken with another definition of view '${v.name}'; delete it to rebuild the state from the event log`,
            );
          }
        });
        engine.#setWatermarks(header.watermarks);
        engine.#appliedCount = header.applied;
        engine.#rejectedCount = header.rejected;
        meta = header.meta;
        continue;
      }
      const { v, k, p, s } = JSON.parse(line) as { v: number; k: string; p?: string[]; s: WindowStateSnapshot[] };
      const runtime = runtimes[v]!;
      const id = runtime.ids.addParts(runtime.savedParts(k, p));
      if (id !== runtime.records.count) throw new TandemError('TANDEM_USAGE', `the snapshot holds entity '${k}' of view '${runtime.plan.view.name}' twice`);
      runtime.records.add();
      const windows = runtime.windows;
      for (let w = 0; w < s.length; w++) windows[w]!.restore(id, s[w]!);
    }
    if (engine === undefined) throw new TandemError('TANDEM_USAGE', 'the snapshot is empty');
    return { engine, meta };
  }

  /**
   * Request-time features for one request: the request's fields must hold the key fields of
   * every input view's entity; their features are read as of `at` and passed to the functions.
   */
  requestFeatures(name: string, request: Row, options: ReadOptions = {}): Record<string, FeatureValue> {
    const set = this.#project.requestFeatures.get(name);
    if (set === undefined) {
      throw new TandemError('TANDEM_UNKNOWN_VIEW', `unknown request features '${name}' (known: ${[...this.#project.requestFeatures.keys()].join(', ') || 'none'})`);
    }
    const row: Record<string, FeatureValue> = {};
    for (const [field] of set.requestFields) row[field] = (request[field] ?? null) as FeatureValue;
    for (const view of set.views) Object.assign(row, this.read(view.name, request, options));
    return evaluateRequestFeatures(set, row);
  }

  #checkAt(plan: ViewPlan, at: number | undefined): number {
    const t = at ?? Date.now();
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new TandemError('TANDEM_USAGE', `read time must be epoch milliseconds, got ${JSON.stringify(t)}`);
    }
    const horizon = this.watermark(plan.view.source.name) - plan.allowedLatenessMs;
    if (t < horizon) {
      throw new TandemError(
        'TANDEM_READ_TOO_OLD',
        `view '${plan.view.name}' cannot be read as of ${formatEventTime(t)}: the state holds reads from ${formatEventTime(horizon)} on (newest event minus the allowed lateness of ${formatDuration(plan.allowedLatenessMs)}); use backfill for older times`,
      );
    }
    return t;
  }

  /** Reject an event whose time `t` is not a time (NaN) or is beyond the allowed lateness behind `watermark`. */
  #rejectTime(source: Source, event: Row, t: number, watermark: number): ApplyResult & { readonly status: 'rejected' } {
    if (t !== t) {
      const raw = event[source.timestamp];
      return this.#reject(source, event, 'TANDEM_INVALID_EVENT', `field '${source.timestamp}' is ${JSON.stringify(raw) ?? 'missing'}, not a timestamp (epoch ms or ISO 8601)`);
    }
    return this.#reject(
      source,
      event,
      'TANDEM_LATE_EVENT',
      `event time ${formatEventTime(t)} is ${formatDuration(watermark - t)} behind the newest event (${formatEventTime(watermark)}), beyond the allowed lateness of ${formatDuration(source.allowedLatenessMs)}`,
    );
  }

  #reject(source: Source, event: Row, code: ErrorCode, reason: string): ApplyResult & { readonly status: 'rejected' } {
    this.#rejectedCount++;
    if (this.#rejected.length >= this.#keepRejected) this.#rejected.shift();
    this.#rejected.push({ source: source.name, event, code, reason });
    return { status: 'rejected', code, reason };
  }

  #unknownSource(name: string): never {
    throw new TandemError('TANDEM_UNKNOWN_SOURCE', `unknown source '${name}' (known: ${[...this.#project.sources.keys()].join(', ')})`);
  }

  #view(name: string): FeatureView {
    const view = this.#project.views.get(name);
    if (view === undefined) {
      throw new TandemError('TANDEM_UNKNOWN_VIEW', `unknown feature view '${name}' (known: ${[...this.#project.views.keys()].join(', ')})`);
    }
    return view;
  }

  #runtime(name: string): ViewRuntime {
    const runtime = this.#views.get(name);
    if (runtime === undefined) {
      this.#view(name);
      throw new TandemError('TANDEM_UNKNOWN_VIEW', `feature view '${name}' is not maintained by this engine (maintained: ${[...this.#views.keys()].join(', ')})`);
    }
    return runtime;
  }
}
