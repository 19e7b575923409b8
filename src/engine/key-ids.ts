import { TandemError } from '../errors.js';
import type { Entity } from '../features/entity.js';
import type { Column, Table } from '../io/table.js';
import { requireColumn } from './table-access.js';

/**
 * Dense entity ids for the rows of the events and the spine: the same key gets the same id in
 * both, keys compare by their string form (so 42 and '42' are one key, as in the stream), and
 * a row with a null key part gets -1.
 */
export interface KeyIds {
  readonly events: Int32Array;
  readonly spine: Int32Array;
  readonly count: number;
}

function encodeColumn(column: Column, ids: Map<string, number>, where: string, field: string): Int32Array {
  const n = column.type === 'string' ? column.codes.length : column.values.length;
  const out = new Int32Array(n);
  const idOf = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) ids.set(text, (id = ids.size));
    return id;
  };
  switch (column.type) {
    case 'string': {
      const byCode = column.dictionary.map(idOf);
      const codes = column.codes;
      for (let i = 0; i < n; i++) {
        const code = codes[i]!;
        out[i] = code < 0 ? -1 : byCode[code]!;
      }
      return out;
    }
    case 'number':
    case 'timestamp': {
      const values = column.values;
      let lastValue = NaN;
      let lastId = -1;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v !== v) out[i] = -1;
        else if (v === lastValue) out[i] = lastId;
        else out[i] = lastId = idOf(String((lastValue = v)));
      }
      return out;
    }
    case 'boolean': {
      const values = column.values;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        out[i] = v !== v ? -1 : idOf(v === 1 ? 'true' : 'false');
      }
      return out;
    }
    case 'json':
      throw new TandemError('TANDEM_FILE_COLUMN', `${where} key column '${field}' holds nested values; keys must be strings, numbers or booleans`);
  }
}

/** A key field's values as dense ids (−1 for null) and the number of distinct values. */
interface FieldIds {
  readonly ids: Int32Array;
  readonly width: number;
}

/** The rows grouped by one key field, with the next field's id of each row beside it. */
interface Carried {
  readonly order: Uint32Array;
  readonly starts: Uint32Array;
  readonly carried: Int32Array;
}

/**
 * The groupings of one table that is its own spine (`--spine events`), for the views of one
 * backfill: rows grouped by entity in time order, built key field by key field. A key of
 * several fields is grouped by its first field, then each group's stretch is split stably by
 * the next; no table of the combinations that occur is needed, only a table of the next
 * field's width stamped with the group it was last seen in, small enough to stay in cache (a
 * table of all pairs costs a cache miss per row). Groups are numbered by the first field's
 * group, then by first occurrence in time order; rows with a null key part get no position.
 *
 * Views share the work: each field is encoded once, and the grouping by a field that another
 * selected view's key starts with (`card` for `card` × `merchant`) is kept, with that key's
 * next field beside each row, so the longer key only splits it.
 */
export class TableGroupings {
  readonly #table: Table;
  readonly #byTime: Uint32Array;
  /** The views still to be grouped. */
  readonly #planned: { readonly entity: Entity; readonly view: string }[];
  readonly #fields = new Map<string, FieldIds>();
  /** By "first field\nnext field". */
  readonly #carried = new Map<string, Carried>();

  /** `views`: the entities of the views to be grouped and the views' names, in any order. */
  constructor(table: Table, byTime: Uint32Array, views: readonly { readonly entity: Entity; readonly view: string }[]) {
    this.#table = table;
    this.#byTime = byTime;
    this.#planned = [...views];
  }

  group(entity: Entity, viewName: string, allocate: (n: number) => Uint32Array): Grouping & { readonly count: number } {
    const keys = entity.keys;
    const done = this.#planned.findIndex((p) => p.view === viewName);
    if (done >= 0) this.#planned.splice(done, 1);
    const fields = keys.map((field) => this.#field(entity, field, viewName));
    const first = fields[0]!;
    if (fields.length === 1) {
      // Keep this grouping for a longer key to come that starts with this field.
      const longer = this.#planned.find((p) => p.entity.keys.length > 1 && p.entity.keys[0] === keys[0]);
      if (longer === undefined) return { ...groupByKey(first.ids, this.#byTime, first.width, allocate), count: first.width };
      const nextField = longer.entity.keys[1]!;
      const next = this.#field(longer.entity, nextField, longer.view);
      const grouping = groupByKey(first.ids, this.#byTime, first.width, allocate, true, next.ids);
      // Copies: the grouping's own arrays may go back to a parallel backfill's arena when
      // this view is done.
      this.#carried.set(`${keys[0]}\n${nextField}`, { order: grouping.order.slice(), starts: grouping.starts.slice(), carried: grouping.carried! });
      return { ...grouping, count: first.width };
    }
    const memo = `${keys[0]}\n${keys[1]}`;
    let { order, starts, carried } = this.#carried.get(memo) ?? groupByKey(first.ids, this.#byTime, first.width, PLAIN, false, fields[1]!.ids);
    if (!this.#planned.some((p) => p.entity.keys.length > 1 && p.entity.keys[0] === keys[0] && p.entity.keys[1] === keys[1])) this.#carried.delete(memo);
    for (let f = 1; ; f++) {
      const last = f === fields.length - 1;
      const split = splitGroups(order, starts, carried!, fields[f]!.width, last ? allocate : PLAIN, last ? this.#table.length : undefined, last ? undefined : fields[f + 1]!.ids);
      if (last) return { order: split.order, starts: split.starts, position: split.position!, count: split.count };
      ({ order, starts, carried } = split);
    }
  }

  #field(entity: Entity, field: string, viewName: string): FieldIds {
    let ids = this.#fields.get(field);
    if (ids === undefined) {
      const dictionary = new Map<string, number>();
      const column = requireColumn(this.#table, field, 'the events', `key of entity '${entity.name}' in view '${viewName}'`);
      ids = { ids: encodeColumn(column, dictionary, 'the events', field), width: dictionary.size };
      this.#fields.set(field, ids);
    }
    return ids;
  }
}

const PLAIN = (n: number): Uint32Array => new Uint32Array(n);

/**
 * Each group [starts[g], starts[g + 1]) of `order` split stably by `ids` (one per position of
 * `order`; positions whose id is −1 leave the grouping), group by group: a group's positions
 * are read twice while they are in cache, to count its new groups and then to place them. With
 * `rows` (the table's length), also each row's position in the new order (NO_POSITION for rows
 * in no group); with `carry`, `carry[row]` beside each row of the new order.
 */
function splitGroups(
  order: Uint32Array,
  starts: Uint32Array,
  ids: Int32Array,
  width: number,
  allocate: (n: number) => Uint32Array,
  rows: number | undefined,
  carry: Int32Array | undefined,
): { order: Uint32Array; starts: Uint32Array; position: Uint32Array | undefined; carried: Int32Array; count: number } {
  const n = order.length;
  const stamp = new Int32Array(width).fill(-1);
  const group = new Uint32Array(width); // while splitting group g: the new group of each id
  const next = new Uint32Array(width); // while placing group g: the next free slot of each id
  const seen = new Int32Array(width); // the ids of group g in order of first occurrence
  // Sized for the most groups and rows there can be; views of the part used are returned.
  const newStarts = allocate(n + 1);
  const newOrder = allocate(n);
  const position = rows === undefined ? undefined : allocate(rows);
  const carried = new Int32Array(carry === undefined ? 0 : n);
  let count = 0;
  newStarts[0] = 0;
  for (let g = 0; g + 1 < starts.length; g++) {
    const from = starts[g]!;
    const to = starts[g + 1]!;
    const first = count;
    for (let j = from; j < to; j++) {
      const id = ids[j]!;
      if (id < 0) continue;
      if (stamp[id] !== g) {
        stamp[id] = g;
        seen[count - first] = id;
        group[id] = count;
        newStarts[++count] = 0;
      }
      newStarts[group[id]! + 1]!++;
    }
    for (let k = first; k < count; k++) {
      next[seen[k - first]!] = newStarts[k]!;
      newStarts[k + 1]! += newStarts[k]!;
    }
    for (let j = from; j < to; j++) {
      const id = ids[j]!;
      if (id < 0) continue;
      const at = next[id]!++;
      const row = order[j]!;
      newOrder[at] = row;
      if (position !== undefined) position[row] = at;
      if (carry !== undefined) carried[at] = carry[row]!;
    }
  }
  const kept = newStarts[count]!;
  if (position !== undefined && kept < position.length) {
    // Rows in no group: every position not written above.
    const placed = new Uint8Array(position.length);
    for (let at = 0; at < kept; at++) placed[newOrder[at]!] = 1;
    for (let row = 0; row < position.length; row++) if (placed[row] === 0) position[row] = NO_POSITION;
  }
  return { order: newOrder.subarray(0, kept), starts: newStarts.subarray(0, count + 1), position, carried: carried.subarray(0, kept), count };
}

export function keyIds(entity: Entity, events: Table, spine: Table, viewName: string): KeyIds {
  const purpose = `key of entity '${entity.name}' in view '${viewName}'`;
  let evIds: Int32Array | undefined;
  let spIds: Int32Array | undefined;
  let count = 0;
  for (const field of entity.keys) {
    const dictionary = new Map<string, number>();
    const ev = encodeColumn(requireColumn(events, field, 'the events', purpose), dictionary, 'the events', field);
    const sp = spine === events ? ev : encodeColumn(requireColumn(spine, field, 'the spine', purpose), dictionary, 'the spine', field);
    if (evIds === undefined || spIds === undefined) {
      evIds = ev;
      spIds = sp;
      count = dictionary.size;
      continue;
    }
    // Composite key: number the (previous id, this part's id) pairs that occur, over the
    // events and the spine together so a pair has one id in both.
    const same = spine === events;
    const pairs = pairIds(same ? [evIds] : [evIds, spIds], same ? [ev] : [ev, sp], count, dictionary.size);
    evIds = pairs.ids[0]!;
    spIds = same ? evIds : pairs.ids[1]!;
    count = pairs.count;
  }
  return { events: evIds!, spine: spIds!, count };
}

/**
 * Dense ids for the pairs (a, b) that occur in rows of `first` and `second` (a < widthA,
 * b < widthB; −1 in either gives −1). Without hashing: the rows are counted out by a, with
 * their b beside them, and each a's rows then number their distinct b through a table of
 * widthB entries stamped with the a it was last seen with (a table small enough to stay in
 * cache, where a hash table of all pairs is a cache miss per row). Pairs are numbered by a,
 * then by first occurrence.
 */
function pairIds(first: readonly Int32Array[], second: readonly Int32Array[], widthA: number, widthB: number): { ids: Int32Array[]; count: number } {
  const starts = new Int32Array(widthA + 1);
  for (let p = 0; p < first.length; p++) {
    const as = first[p]!;
    const bs = second[p]!;
    for (let i = 0; i < as.length; i++) if (as[i]! >= 0 && bs[i]! >= 0) starts[as[i]! + 1]!++;
  }
  for (let a = 0; a < widthA; a++) starts[a + 1]! += starts[a]!;
  const rows = starts[widthA]!;
  const cursor = starts.slice(0, widthA);
  // Per pair occurrence, in order of a: its b, and where it goes (part p's row i as a
  // running position over the parts).
  const bOf = new Int32Array(rows);
  const rowOf = new Int32Array(rows);
  const ids = first.map((as) => new Int32Array(as.length).fill(-1));
  const offsets: number[] = [];
  let offset = 0;
  for (let p = 0; p < first.length; p++) {
    offsets.push(offset);
    const as = first[p]!;
    const bs = second[p]!;
    for (let i = 0; i < as.length; i++) {
      const a = as[i]!;
      const b = bs[i]!;
      if (a < 0 || b < 0) continue;
      const at = cursor[a]!++;
      bOf[at] = b;
      rowOf[at] = offset + i;
    }
    offset += as.length;
  }
  const stamp = new Int32Array(widthB).fill(-1);
  const idOf = new Int32Array(widthB);
  let count = 0;
  const single = first.length === 1 ? ids[0]! : undefined;
  for (let a = 0; a < widthA; a++) {
    for (let at = starts[a]!, end = starts[a + 1]!; at < end; at++) {
      const b = bOf[at]!;
      if (stamp[b] !== a) {
        stamp[b] = a;
        idOf[b] = count++;
      }
      const row = rowOf[at]!;
      if (single !== undefined) single[row] = idOf[b]!;
      else {
        const p = row >= offsets[1]! ? 1 : 0;
        ids[p]![row - offsets[p]!] = idOf[b]!;
      }
    }
  }
  return { ids, count };
}

/** Row indices grouped by key id (ascending), each group in time order then row order. */
export interface Grouping {
  readonly order: Uint32Array;
  /** Group k is order[starts[k] .. starts[k + 1]). */
  readonly starts: Uint32Array;
  /** The inverse of `order`: each row's position, NO_POSITION for rows with a null key. */
  readonly position: Uint32Array;
}

export const NO_POSITION = 0xffffffff;

/**
 * A column in grouped order: out[position[i]] = values[i]. Reads the rows in their own order
 * and writes each to its position: sequential reads and scattered writes are much kinder to
 * the cache than the scattered reads of gathering through `order`. With `from` and `to`,
 * writes only the positions in [from, to), so workers can each fill a part.
 */
export function scatterToGrouped(values: Float64Array, position: Uint32Array, out: Float64Array, from = 0, to = out.length): void {
  // Positions outside [from, to), NO_POSITION among them, wrap to large unsigned offsets.
  const span = to - from;
  for (let i = 0; i < values.length; i++) {
    const at = position[i]!;
    if (((at - from) >>> 0) < span) out[at] = values[i]!;
  }
}

/**
 * Stable order of rows by time. Event logs are sorted or nearly so (a little arrival
 * disorder), so this tries an insertion sort, linear in the number of inversions, and falls
 * back to a comparison sort when the data turn out to be far from sorted.
 */
export function timeOrder(times: Float64Array): Uint32Array {
  const n = times.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let budget = 16 * n + 1024;
  for (let i = 1; i < n; i++) {
    const row = order[i]!;
    const t = times[row]!;
    let j = i - 1;
    if (times[order[j]!]! <= t) continue;
    while (j >= 0 && times[order[j]!]! > t) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = row;
    budget -= i - j;
    if (budget < 0) {
      for (let k = 0; k < n; k++) order[k] = k;
      return order.sort((a, b) => times[a]! - times[b]! || a - b);
    }
  }
  return order;
}

/**
 * Counting sort of the time order by key: stable, O(n + keys). Rows with key -1 are left out.
 * With `carry`, also `carry[row]` beside each row of the order.
 */
export function groupByKey(
  ids: Int32Array,
  byTime: Uint32Array,
  count: number,
  allocate: (n: number) => Uint32Array = PLAIN,
  withPosition = true,
  carry?: Int32Array,
): Grouping & { readonly carried?: Int32Array } {
  const starts = new Uint32Array(count + 1);
  let keyless = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id >= 0) starts[id + 1]!++;
    else keyless++;
  }
  for (let k = 0; k < count; k++) starts[k + 1]! += starts[k]!;
  const cursor = starts.slice(0, count);
  const order = allocate(starts[count]!);
  // Every row gets a position below, except rows without a key.
  const position = allocate(withPosition ? ids.length : 0);
  if (withPosition && keyless > 0) position.fill(NO_POSITION);
  if (carry !== undefined) {
    const carried = new Int32Array(order.length);
    for (let j = 0; j < byTime.length; j++) {
      const row = byTime[j]!;
      const id = ids[row]!;
      if (id < 0) continue;
      const at = cursor[id]!++;
      order[at] = row;
      carried[at] = carry[row]!;
      if (withPosition) position[row] = at;
    }
    return { order, starts, position, carried };
  }
  for (let j = 0; j < byTime.length; j++) {
    const row = byTime[j]!;
    const id = ids[row]!;
    if (id < 0) continue;
    const at = cursor[id]!++;
    order[at] = row;
    if (withPosition) position[row] = at;
  }
  return { order, starts, position };
}
