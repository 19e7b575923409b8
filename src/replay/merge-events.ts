import { toEventTime } from '../engine/event-time.js';
import type { Source } from '../features/source.js';
import { columnValue } from '../io/column-value.js';
import type { Table } from '../io/table.js';

/** Every source's events as one sequence in time order. */
export interface MergedEvents {
  readonly length: number;
  /** Per position: index of the event's source in the input list. */
  readonly source: Int32Array;
  /** Per position: the event's row in its source's table. */
  readonly row: Int32Array;
  /** Per position: the event time in epoch ms (NaN when the event has none). */
  readonly time: Float64Array;
}

function timesOf(source: Source, table: Table): Float64Array {
  const column = table.columns.get(source.timestamp);
  const times = new Float64Array(table.length).fill(Number.NaN);
  if (column === undefined) return times;
  if (column.type === 'timestamp' || column.type === 'number') return Float64Array.from(column.values, (t) => (Number.isFinite(t) ? t : Number.NaN));
  for (let i = 0; i < table.length; i++) times[i] = toEventTime(columnValue(column, i));
  return times;
}

/**
 * A stable merge by event time: ties keep the order of the inputs, then of the rows, as a
 * log that received them in that order would. Events without a time come first; the engine
 * rejects them, as it would live.
 */
export function mergeEvents(inputs: readonly { readonly source: Source; readonly table: Table }[]): MergedEvents {
  const times = inputs.map(({ source, table }) => timesOf(source, table));
  const length = times.reduce((n, t) => n + t.length, 0);
  const source = new Int32Array(length);
  const row = new Int32Array(length);
  const time = new Float64Array(length);
  let at = 0;
  for (const [s, t] of times.entries()) {
    for (let i = 0; i < t.length; i++, at++) {
      source[at] = s;
      row[at] = i;
      time[at] = t[i]!;
    }
  }
  const key = (i: number): number => (time[i]! === time[i]! ? time[i]! : -Infinity);
  // Array.prototype.sort is stable, and the positions start in input order.
  const order = Array.from({ length }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
  return {
    length,
    source: Int32Array.from(order, (i) => source[i]!),
    row: Int32Array.from(order, (i) => row[i]!),
    time: Float64Array.from(order, (i) => time[i]!),
  };
}
