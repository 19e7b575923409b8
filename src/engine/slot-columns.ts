import { TandemError } from '../errors.js';
import type { Table } from '../io/table.js';
import { hashValue } from './hash.js';
import { callInput, toRaw, toStored } from './inputs.js';
import type { SlotPlan, ViewPlan } from './plan.js';
import { rowCursor } from './table-access.js';
import { columnValue } from '../io/column-value.js';
import type { SlotData } from './window-state.js';

/**
 * Every slot of a view evaluated over all events at once, column by column. Numeric fields
 * are used in place; everything else goes through the same transforms as the stream.
 */
export function slotColumns(plan: ViewPlan, events: Table, allocate: (n: number) => Float64Array = (n) => new Float64Array(n)): SlotData {
  const n = events.length;
  const num: (Float64Array | undefined)[] = [];
  const any: (unknown[] | undefined)[] = [];
  let cursor: ((row: number) => Record<string, unknown>) | undefined;
  for (const slot of plan.slots) {
    if (typeof slot.input === 'string') {
      const column = events.columns.get(slot.input);
      if (column === undefined) {
        const field = plan.view.source.fields.get(slot.input);
        if (field?.nullable !== true) {
          throw new TandemError(
            'TANDEM_FILE_COLUMN',
            `the events have no column '${slot.input}', which view '${plan.view.name}' reads; its columns are: ${[...events.columns.keys()].join(', ')}`,
          );
        }
      }
      if (slot.transform === 'raw') {
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = column === undefined ? null : columnValue(column, i);
        num.push(undefined);
        any.push(out);
        continue;
      }
      any.push(undefined);
      if (column === undefined) {
        num.push(allocate(n).fill(NaN));
      } else if (slot.transform === 'number' && column.type !== 'string' && column.type !== 'json') {
        num.push(column.values); // already numbers with NaN for null
      } else if (slot.transform === 'hash' && column.type === 'string') {
        const byCode = column.dictionary.map((s) => hashValue(s));
        const out = allocate(n);
        for (let i = 0; i < n; i++) {
          const code = column.codes[i]!;
          out[i] = code < 0 ? NaN : byCode[code]!;
        }
        num.push(out);
      } else {
        num.push(transformColumn(slot, allocate(n), (i) => columnValue(column, i)));
      }
      continue;
    }
    cursor ??= rowCursor(events);
    const fn = slot.input;
    const at = cursor;
    if (slot.transform === 'raw') {
      const out = new Array<unknown>(n);
      let i = 0;
      try {
        for (; i < n; i++) out[i] = toRaw(callInput(slot, fn, at(i)));
      } catch (error) {
        throw rowError(error, i);
      }
      num.push(undefined);
      any.push(out);
    } else {
      num.push(functionColumn(slot, allocate(n), fn, at));
      any.push(undefined);
    }
  }
  return { num, any };
}

/** `transformColumn` of a feature function's values, with the function called from this loop. */
function functionColumn(slot: SlotPlan, out: Float64Array, fn: (event: Readonly<Record<string, unknown>>) => unknown, at: (row: number) => Readonly<Record<string, unknown>>): Float64Array {
  const transform = slot.transform as Exclude<SlotPlan['transform'], 'raw'>;
  const n = out.length;
  let i = 0;
  try {
    for (; i < n; i++) out[i] = toStored(transform, callInput(slot, fn, at(i)), slot);
  } catch (error) {
    throw rowError(error, i);
  }
  return out;
}

function transformColumn(slot: SlotPlan, out: Float64Array, value: (row: number) => unknown): Float64Array {
  const transform = slot.transform as Exclude<SlotPlan['transform'], 'raw'>;
  const n = out.length;
  let i = 0;
  try {
    for (; i < n; i++) out[i] = toStored(transform, value(i), slot);
  } catch (error) {
    throw rowError(error, i);
  }
  return out;
}

/** A transform's error, said of the event row it came from. */
function rowError(error: unknown, i: number): unknown {
  if (error instanceof TandemError) {
    return new TandemError(error.code, `event row ${i + 1}: ${error.message}`, { cause: error, details: { ...error.details, row: i + 1 } });
  }
  return error;
}
