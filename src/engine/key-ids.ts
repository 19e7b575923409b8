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
    // Composite key: number the (previous id, this part's id) pairs that occur.
    const width = dictionary.size;
    const pairs = new Map<number, number>();
    const combine = (prev: Int32Array, part: Int32Array): Int32Array => {
      const out = new Int32Array(prev.length);
      for (let i = 0; i < prev.length; i++) {
        const a = prev[i]!;
        const b = part[i]!;
        if (a < 0 || b < 0) {
          out[i] = -1;
          continue;
        }
        const pair = a * width + b;
        let id = pairs.get(pair);
        if (id === undefined) pairs.set(pair, (id = pairs.size));
        out[i] = id;
      }
      return out;
    };
    const nextEv = combine(evIds, ev);
    spIds = spine === events ? nextEv : combine(spIds, sp);
    evIds = nextEv;
    count = pairs.size;
  }
  return { events: evIds!, spine: spIds!, count };
}

/** Row indices grouped by key id (ascending), each group in time order then row order. */
export interface Grouping {
  readonly order: Uint32Array;
  /** Group k is order[starts[k] .. starts[k + 1]). */
  readonly starts: Uint32Array;
}

/** Stable order of rows by time (identity when already sorted, the usual case for logs). */
export function timeOrder(times: Float64Array): Uint32Array {
  const n = times.length;
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && times[i]! < times[i - 1]!) sorted = false;
  }
  if (!sorted) order.sort((a, b) => times[a]! - times[b]! || a - b);
  return order;
}

/** Counting sort of the time order by key: stable, O(n + keys). Rows with key -1 are left out. */
export function groupByKey(ids: Int32Array, byTime: Uint32Array, count: number): Grouping {
  const starts = new Uint32Array(count + 1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id >= 0) starts[id + 1]!++;
  }
  for (let k = 0; k < count; k++) starts[k + 1]! += starts[k]!;
  const cursor = starts.slice(0, count);
  const order = new Uint32Array(starts[count]!);
  for (let j = 0; j < byTime.length; j++) {
    const row = byTime[j]!;
    const id = ids[row]!;
    if (id >= 0) order[cursor[id]!++] = row;
  }
  return { order, starts };
}
