import { backfill } from '../../engine/backfill.js';
import type { Column, Table } from '../../io/table.js';
import { forecastingProject } from './project.js';
import { DAY_MS } from './sales.js';

/** Daily revenue per store × category, as the feature engine computed it from the tickets. */
export interface DailySeries {
  readonly stores: readonly string[];
  readonly categories: readonly string[];
  /** Series in store-major order: series `s` is store ⌊s / categories⌋, category s mod categories. */
  readonly keys: readonly { readonly store: string; readonly category: string }[];
  /** Epoch ms of day 0's midnight (UTC). */
  readonly start: number;
  readonly days: number;
  /** revenue[s][d]: revenue of series s on day d. */
  readonly revenue: readonly Float64Array[];
  /** Each series' first day with a sale (its store's opening); earlier days are not its history. */
  readonly firstDay: Int32Array;
  /** closed[store][d]: 1 when the store sold nothing in any category on day d. */
  readonly closed: readonly Uint8Array[];
  /** The backfill's output: store, category, ts (the midnight after the day), revenue_1d, units_1d, tickets_1d. */
  readonly table: Table;
}

/**
 * Backfills `daily_sales` at every midnight for every store × category. A spine row at midnight
 * D + 1 reads the one-day window [D, D + 1), so it holds day D's totals and was computed only
 * from events before that midnight: reading the rows up to midnight D is reading the past of D.
 */
export function dailySeries(events: Table, options: { readonly stores: readonly string[]; readonly categories: readonly string[]; readonly start: number; readonly days: number }): DailySeries {
  const { stores, categories, start, days } = options;
  const count = stores.length * categories.length;
  const n = count * days;
  const storeCodes = new Int32Array(n);
  const categoryCodes = new Int32Array(n);
  const ts = new Float64Array(n);
  for (let s = 0; s < count; s++) {
    for (let d = 0; d < days; d++) {
      const row = s * days + d;
      storeCodes[row] = Math.floor(s / categories.length);
      categoryCodes[row] = s % categories.length;
      ts[row] = start + (d + 1) * DAY_MS;
    }
  }
  const spine: Table = {
    length: n,
    columns: new Map<string, Column>([
      ['store', { type: 'string', codes: storeCodes, dictionary: stores }],
      ['category', { type: 'string', codes: categoryCodes, dictionary: categories }],
      ['ts', { type: 'timestamp', values: ts }],
    ]),
  };
  const { table } = backfill(forecastingProject, { views: ['daily_sales'], events, spine });
  const revenueColumn = table.columns.get('revenue_1d');
  const ticketColumn = table.columns.get('tickets_1d');
  if (revenueColumn?.type !== 'number' || ticketColumn?.type !== 'number') throw new Error('daily_sales must give numeric revenue_1d and tickets_1d');
  const revenue: Float64Array[] = [];
  const firstDay = new Int32Array(count).fill(days);
  for (let s = 0; s < count; s++) {
    revenue.push(revenueColumn.values.slice(s * days, (s + 1) * days));
    for (let d = 0; d < days; d++) {
      if ((ticketColumn.values[s * days + d] as number) > 0) {
        firstDay[s] = d;
        break;
      }
    }
  }
  const closed = stores.map((_, store) => {
    const mask = new Uint8Array(days);
    for (let d = 0; d < days; d++) {
      let tickets = 0;
      for (let c = 0; c < categories.length; c++) tickets += ticketColumn.values[(store * categories.length + c) * days + d] as number;
      mask[d] = tickets === 0 ? 1 : 0;
    }
    return mask;
  });
  const keys = Array.from({ length: count }, (_, s) => ({ store: stores[Math.floor(s / categories.length)] as string, category: categories[s % categories.length] as string }));
  return { stores, categories, keys, start, days, revenue, firstDay, closed, table };
}
