import type { Project } from '../features/project.js';
import type { Column, Table } from '../io/table.js';
import { backfill } from './backfill.js';
import { columnOf } from './column-of.js';
import { columnValue } from '../io/column-value.js';

type Row = Readonly<Record<string, unknown>>;

function tableOf(rows: readonly Row[]): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const name of Object.keys(row)) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  const columns = new Map<string, Column>();
  for (const name of names) columns.set(name, columnOf(rows.map((r) => r[name])));
  return { length: rows.length, columns };
}

export interface BackfillRowsOptions {
  readonly views: readonly string[];
  /** Event objects (times as epoch ms), for the views' one source or by source name. */
  readonly events: readonly Row[] | Readonly<Record<string, readonly Row[]>>;
  readonly spine: readonly Row[] | 'events';
  readonly spineTimestamp?: string;
}

/** `backfill` on arrays of objects, for small data and tests. */
export function backfillRows(project: Project, options: BackfillRowsOptions): Record<string, unknown>[] {
  const events = Array.isArray(options.events)
    ? tableOf(options.events as readonly Row[])
    : Object.fromEntries(Object.entries(options.events as Record<string, readonly Row[]>).map(([k, v]) => [k, tableOf(v)]));
  const spine = options.spine === 'events' ? 'events' : tableOf(options.spine);
  const result = backfill(project, {
    views: options.views,
    events,
    spine,
    ...(options.spineTimestamp === undefined ? {} : { spineTimestamp: options.spineTimestamp }),
  });
  const table = result.table;
  const out: Record<string, unknown>[] = [];
  const columns = [...table.columns.entries()];
  for (let i = 0; i < table.length; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, column] of columns) row[name] = columnValue(column, i);
    out.push(row);
  }
  // The rows hold copies of the values: the next backfill reuses the columns.
  result.release();
  return out;
}
