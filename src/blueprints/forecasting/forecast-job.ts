import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Column, Table } from '../../io/table.js';
import { writeTable } from '../../io/write-table.js';
import type { DailySeries } from './daily-series.js';
import { HORIZON, MIN_HISTORY, PERIOD, forecastWith, implausible, modelInput, multiplicativeAllowed, seasonalNaive, selectModel, type SeriesModel } from './forecast.js';
import { DAY_MS } from './sales.js';

/** What one run of the forecasting job did; stored as the run's result in the job history. */
export interface ForecastRunResult {
  /** The forecast origin (UTC date): the run used the days before it and forecast it and the 6 after. */
  readonly origin: string;
  /** The forecast file, relative to the blueprint's folder. */
  readonly file: string;
  readonly series: number;
  readonly holtWinters: number;
  /** Series too young for Holt-Winters (or without a model yet), forecast by the seasonal naive. */
  readonly seasonalNaive: number;
  /** Whether this run chose the models and estimated their parameters (every REESTIMATE_EVERY days, and a first run). */
  readonly reestimated: boolean;
}

export interface ForecastJobOptions {
  readonly series: DailySeries;
  /** The blueprint's folder; forecasts go to `forecasts/`, chosen models to `models/`. */
  readonly dir: string;
  /** Receives each run's forecast table as written (the blueprint scores it without reading the file back). */
  readonly onForecasts?: (table: Table) => void;
}

/** Days between re-estimations of the models: choosing and fitting costs ~0.1 s a series, a daily update ~0.1 ms. */
export const REESTIMATE_EVERY = 28;

/**
 * The job's work for one origin day, as a function of the day index. Models are chosen and their
 * parameters estimated every REESTIMATE_EVERY days (and on the first run of a process); every day's run updates
 * the states through the new days with those parameters and forecasts. A series gets
 * Holt-Winters from MIN_HISTORY days of history and a model, else the seasonal naive from one week.
 */
export function forecastingJob(options: ForecastJobOptions): (originDay: number, signal?: AbortSignal) => Promise<ForecastRunResult> {
  const { series, dir } = options;
  let models: Map<number, SeriesModel> | undefined;
  let estimatedOn = -Infinity;
  return async (originDay, signal) => {
    const origin = series.start + originDay * DAY_MS;
    const date = isoDate(origin);
    const reestimated = models === undefined || originDay - estimatedOn >= REESTIMATE_EVERY;
    if (reestimated) estimatedOn = originDay;
    const chosen = reestimated ? new Map<number, SeriesModel>() : (models as Map<number, SeriesModel>);
    const rows = new RowsBuilder();
    let holtWinters = 0;
    let naive = 0;
    for (let s = 0; s < series.keys.length; s++) {
      signal?.throwIfAborted();
      const first = series.firstDay[s] as number;
      // The past of the origin only: days first … originDay − 1.
      const history = (series.revenue[s] as Float64Array).subarray(first, Math.max(first, originDay));
      if (history.length < PERIOD) continue;
      const baseline = seasonalNaive(history);
      let forecast = baseline;
      let method = 'seasonal-naive';
      if (history.length >= MIN_HISTORY) {
        const closed = series.closed[Math.floor(s / series.categories.length)] as Uint8Array;
        const y = modelInput(history, (i) => closed[first + i] === 1);
        if (reestimated) chosen.set(s, selectModel(y));
        let model = chosen.get(s);
        if (model !== undefined && model.candidate.startsWith('multiplicative') && !multiplicativeAllowed(y)) {
          // Slow days entered the window and multiplicative seasonality is no longer safe: choose again now.
          model = selectModel(y);
          chosen.set(s, model);
        }
        if (model !== undefined) {
          forecast = forecastWith(model.candidate, model.parameters, y);
          if (implausible(forecast, y)) {
            // The recursions ran away (multiplicative after slow days): choose among additive forms from now on.
            model = selectModel(y, { multiplicative: false });
            chosen.set(s, model);
            forecast = forecastWith(model.candidate, model.parameters, y);
          }
          method = `holt-winters:${model.candidate}`;
        }
      }
      if (method === 'seasonal-naive') naive++;
      else holtWinters++;
      const key = series.keys[s] as { store: string; category: string };
      for (let k = 0; k < HORIZON; k++) rows.add(key, origin, origin + k * DAY_MS, k + 1, forecast[k] as number, baseline[k] as number, method);
    }
    models = chosen;
    const file = join('forecasts', `${date}.csv`);
    const table = rows.table();
    await writeTable(table, join(dir, file));
    options.onForecasts?.(table);
    if (reestimated) await writeModels(join(dir, 'models', `${date}.json`), series, chosen);
    return { origin: date, file, series: holtWinters + naive, holtWinters, seasonalNaive: naive, reestimated };
  };
}

async function writeModels(path: string, series: DailySeries, models: ReadonlyMap<number, SeriesModel>): Promise<void> {
  const out = [...models].map(([s, model]) => ({ ...series.keys[s], ...model }));
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `${JSON.stringify(out, null, 2)}\n`);
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The forecast file's columns: store, category, origin, date, horizon, forecast, seasonal_naive, method. */
class RowsBuilder {
  readonly #stores: string[] = [];
  readonly #categories: string[] = [];
  readonly #origin: number[] = [];
  readonly #date: number[] = [];
  readonly #horizon: number[] = [];
  readonly #forecast: number[] = [];
  readonly #naive: number[] = [];
  readonly #method: string[] = [];

  add(key: { store: string; category: string }, origin: number, date: number, horizon: number, forecast: number, naive: number, method: string): void {
    this.#stores.push(key.store);
    this.#categories.push(key.category);
    this.#origin.push(origin);
    this.#date.push(date);
    this.#horizon.push(horizon);
    this.#forecast.push(Math.round(forecast * 100) / 100);
    this.#naive.push(naive);
    this.#method.push(method);
  }

  table(): Table {
    return {
      length: this.#date.length,
      columns: new Map<string, Column>([
        ['store', strings(this.#stores)],
        ['category', strings(this.#categories)],
        ['origin', { type: 'timestamp', values: Float64Array.from(this.#origin) }],
        ['date', { type: 'timestamp', values: Float64Array.from(this.#date) }],
        ['horizon', { type: 'number', values: Float64Array.from(this.#horizon) }],
        ['forecast', { type: 'number', values: Float64Array.from(this.#forecast) }],
        ['seasonal_naive', { type: 'number', values: Float64Array.from(this.#naive) }],
        ['method', strings(this.#method)],
      ]),
    };
  }
}

function strings(values: readonly string[]): Column {
  const dictionary: string[] = [];
  const codeOf = new Map<string, number>();
  const codes = Int32Array.from(values, (v) => {
    let code = codeOf.get(v);
    if (code === undefined) codeOf.set(v, (code = dictionary.push(v) - 1));
    return code;
  });
  return { type: 'string', codes, dictionary };
}
