/**
 * A brute-force reference for Tandem's feature semantics (DESIGN.md, "Time and windows"), written
 * from the definitions alone so that the engine can be checked against it. Every read rescans
 * every event: O(events) per feature per read, O(n²) for a backfill. Nothing here is clever on
 * purpose; it must not import anything from src/engine.
 */
import type { Aggregation, FeatureValue, Scalar } from '../../src/features/aggregations.js';
import type { FeatureView } from '../../src/features/feature-view.js';
import type { Project } from '../../src/features/project.js';
import type { RequestFeatures } from '../../src/features/request-features.js';
import type { Source } from '../../src/features/source.js';

export type Row = Readonly<Record<string, unknown>>;

/** An entity key as `StreamEngine.read` takes it: the value of a single key field, or an object. */
export type Key = string | number | boolean | Row;

/** Events as `backfillRows` takes them: the rows of the single source, or rows by source name. */
export type EventsInput = readonly Row[] | Readonly<Record<string, readonly Row[]>>;

/** One feature's reference value, with the largest |x| among the window's numeric values. */
export interface ReferenceCell {
  readonly value: FeatureValue;
  /** Largest absolute numeric input in the window (0 when none): the scale of rounding errors. */
  readonly magnitude: number;
}

/** The key as an object holding every key field of the view's entity. */
export function keyObject(view: FeatureView, key: Key): Row {
  if (typeof key === 'object' && key !== null) return key;
  const [only, ...rest] = view.entity.keys;
  if (only === undefined || rest.length > 0) {
    throw new Error(`view '${view.name}' has a composite key (${view.entity.keys.join(', ')}); pass an object`);
  }
  return { [only]: key };
}

function isSameEntity(view: FeatureView, event: Row, key: Row): boolean {
  return view.entity.keys.every((field) => event[field] === key[field]);
}

/** An aggregation's input for one event, or null when missing (null, undefined or NaN). */
export function inputOf(aggregation: Aggregation, event: Row): Scalar | null {
  const input = aggregation.input;
  const raw: unknown = typeof input === 'string' ? event[input] : typeof input === 'function' ? input(event) : undefined;
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isNaN(raw) ? null : raw;
  if (typeof raw === 'boolean' || typeof raw === 'string') return raw;
  throw new Error(`reference: unsupported input value ${String(raw)} for ${aggregation.aggregation}()`);
}

function asNumber(value: Scalar, aggregation: Aggregation): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new Error(`reference: ${aggregation.aggregation}() got the string '${value}'`);
}

function timeOf(source: Source, event: Row): number {
  const time = event[source.timestamp];
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new Error(`reference: event time '${source.timestamp}' is not a number: ${String(time)}`);
  }
  return time;
}

/**
 * The entity's events inside the aggregation's window as of `t`, i.e. with event time in
 * [t − w, t) (or (−∞, t) for lifetime), oldest first; events at one instant keep arrival order.
 * `events` are in arrival order.
 */
export function eventsInWindow(view: FeatureView, aggregation: Aggregation, events: readonly Row[], key: Key, t: number): Row[] {
  const keyRow = keyObject(view, key);
  const from = t - aggregation.windowMs; // −Infinity for lifetime
  const inside: { event: Row; time: number; arrival: number }[] = [];
  events.forEach((event, arrival) => {
    if (!isSameEntity(view, event, keyRow)) return;
    const time = timeOf(view.source, event);
    if (time >= from && time < t) inside.push({ event, time, arrival });
  });
  inside.sort((a, b) => a.time - b.time || a.arrival - b.arrival);
  return inside.map((entry) => entry.event);
}

/** Population variance, two-pass: the mean first, then the mean of squared deviations. */
function twoPassVariance(values: readonly number[]): number {
  let total = 0;
  for (const x of values) total += x;
  const mean = total / values.length;
  let squares = 0;
  for (const x of values) squares += (x - mean) * (x - mean);
  return squares / values.length;
}

/** The aggregation over the window's events (oldest first), from its definition. */
export function aggregate(aggregation: Aggregation, windowEvents: readonly Row[]): FeatureValue {
  if (aggregation.aggregation === 'count' && aggregation.input === undefined) return windowEvents.length;
  const values: Scalar[] = [];
  for (const event of windowEvents) {
    const value = inputOf(aggregation, event);
    if (value !== null) values.push(value);
  }
  const numbers = (): number[] => values.map((v) => asNumber(v, aggregation));
  switch (aggregation.aggregation) {
    case 'count':
      return values.length;
    case 'sum':
      return numbers().reduce((a, b) => a + b, 0);
    case 'mean':
      return values.length === 0 ? null : numbers().reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return values.length === 0 ? null : Math.min(...numbers());
    case 'max':
      return values.length === 0 ? null : Math.max(...numbers());
    case 'variance':
      return values.length === 0 ? null : twoPassVariance(numbers());
    case 'std':
      return values.length === 0 ? null : Math.sqrt(twoPassVariance(numbers()));
    case 'last':
      return values.at(-1) ?? null;
    case 'lastK':
      return values.slice(-aggregation.k).reverse();
    case 'approxDistinct':
      // The exact distinct count; the engine's HyperLogLog estimate is compared with a tolerance.
      return new Set(values).size;
  }
}

function magnitudeOf(aggregation: Aggregation, windowEvents: readonly Row[]): number {
  let largest = 0;
  for (const event of windowEvents) {
    const value = inputOf(aggregation, event);
    if (typeof value === 'number') largest = Math.max(largest, Math.abs(value));
    else if (value === true) largest = Math.max(largest, 1);
  }
  return largest;
}

/** Every feature of the view for one entity as of `t`, with the magnitude of its window's values. */
export function referenceCells(view: FeatureView, events: readonly Row[], key: Key, t: number): Record<string, ReferenceCell> {
  const cells: Record<string, ReferenceCell> = {};
  for (const name of view.featureNames) {
    const aggregation = view.features[name];
    if (aggregation === undefined) throw new Error(`reference: view '${view.name}' lacks feature '${name}'`);
    const inside = eventsInWindow(view, aggregation, events, key, t);
    cells[name] = { value: aggregate(aggregation, inside), magnitude: magnitudeOf(aggregation, inside) };
  }
  return cells;
}

/** Every feature of the view for one entity as of `t` over `events` (in arrival order). */
export function referenceFeatures(view: FeatureView, events: readonly Row[], key: Key, t: number): Record<string, FeatureValue> {
  const values: Record<string, FeatureValue> = {};
  for (const [name, cell] of Object.entries(referenceCells(view, events, key, t))) values[name] = cell.value;
  return values;
}

function eventsOf(events: EventsInput, source: Source): readonly Row[] {
  if (Array.isArray(events)) return events as readonly Row[];
  return (events as Readonly<Record<string, readonly Row[]>>)[source.name] ?? [];
}

function pick(row: Row, fields: readonly string[]): Row {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = row[field];
  return out;
}

function normalizeOutput(value: unknown): FeatureValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  return value as FeatureValue;
}

function spineTime(row: Row, column: string): number {
  const t = row[column];
  if (typeof t !== 'number') throw new Error(`reference: spine column '${column}' is not a number: ${String(t)}`);
  return t;
}

export interface ReferenceBackfillOptions {
  /** The spine's time column; defaults to each view's source timestamp field. */
  readonly spineTimestamp?: string;
}

/**
 * The rows `backfillRows` must return: for each spine row (in spine order), its columns, then each
 * selected view's features as of the row's time (views in the order given, features in definition
 * order). With spine 'events', every event of the (single) source is a spine row.
 */
export function referenceBackfill(
  project: Project,
  viewNames: readonly string[],
  events: EventsInput,
  spine: readonly Row[] | 'events',
  options: ReferenceBackfillOptions = {},
): Record<string, unknown>[] {
  const selected: (FeatureView | RequestFeatures)[] = viewNames.map((name) => {
    const found = project.views.get(name) ?? project.requestFeatures.get(name);
    if (found === undefined) throw new Error(`reference: unknown view '${name}'`);
    return found;
  });
  let spineRows: readonly Row[];
  if (spine === 'events') {
    const sources = new Set<Source>();
    for (const item of selected) {
      if (item.kind === 'featureView') sources.add(item.source);
      else for (const view of item.views) sources.add(view.source);
    }
    const [only, ...rest] = [...sources];
    if (only === undefined || rest.length > 0) throw new Error('reference: spine "events" needs views of exactly one source');
    spineRows = eventsOf(events, only);
  } else {
    spineRows = spine;
  }
  const featuresAt = (view: FeatureView, row: Row): Record<string, FeatureValue> =>
    referenceFeatures(
      view,
      eventsOf(events, view.source),
      pick(row, view.entity.keys),
      spineTime(row, options.spineTimestamp ?? view.source.timestamp),
    );
  return spineRows.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const item of selected) {
      if (item.kind === 'featureView') {
        Object.assign(out, featuresAt(item, row));
        continue;
      }
      const inputs: Record<string, unknown> = { ...row };
      for (const view of item.views) Object.assign(inputs, featuresAt(view, row));
      for (const name of item.featureNames) {
        const fn = item.features[name];
        if (fn === undefined) throw new Error(`reference: request features '${item.name}' lacks '${name}'`);
        out[name] = normalizeOutput(fn(inputs as Readonly<Record<string, FeatureValue>>));
      }
    }
    return out;
  });
}

export interface Arrival {
  readonly source: string;
  readonly event: Row;
}

export interface Admission {
  /** Whether each arrival is applied (true) or rejected as too late (false). */
  readonly accepted: readonly boolean[];
  /** Each source's watermark (largest applied event time) after each arrival; −Infinity before any. */
  readonly watermarks: readonly Readonly<Record<string, number>>[];
}

/**
 * Which arrivals the stream applies: an event is rejected when its time is earlier than its
 * source's watermark (the largest event time applied so far) minus the source's allowed lateness.
 */
export function referenceAdmission(project: Project, arrivals: readonly Arrival[]): Admission {
  const watermark: Record<string, number> = {};
  const accepted: boolean[] = [];
  const watermarks: Record<string, number>[] = [];
  for (const { source: name, event } of arrivals) {
    const source = project.sources.get(name);
    if (source === undefined) throw new Error(`reference: unknown source '${name}'`);
    const time = timeOf(source, event);
    const current = watermark[name] ?? -Infinity;
    const ok = !(time < current - source.allowedLatenessMs);
    accepted.push(ok);
    if (ok) watermark[name] = Math.max(current, time);
    watermarks.push({ ...watermark });
  }
  return { accepted, watermarks };
}
