import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobStore } from '../../jobs/sqlite/sqlite-job-store.js';
import { Scheduler } from '../../jobs/scheduler.js';
import type { Table } from '../../io/table.js';
import { writeTable } from '../../io/write-table.js';
import { dailySeries, type DailySeries } from './daily-series.js';
import { forecastingJob, isoDate, type ForecastRunResult } from './forecast-job.js';
import { HORIZON, type Candidate, type SeriesModel } from './forecast.js';
import { AccuracyTally } from './metrics.js';
import type { Comparison, ForecastingReport, JobRunSummary } from './report.js';
import { DAY_MS, generateSales, type Sales } from './sales.js';
import { ManualClock } from '../../jobs/manual-clock.js';
import { readFile } from 'node:fs/promises';

export interface ForecastingOptions {
  /** Where files go; emptied of an earlier run's files first. @default a new temporary folder */
  readonly dir?: string;
  /** 'test': 8 stores × 3 categories, 40 weeks, 3 simulated weeks (seconds); 'full': 25 × 4, two years, 8 weeks. @default 'full' */
  readonly scale?: 'test' | 'full';
  /** @default 11 */
  readonly seed?: number;
  readonly onProgress?: (line: string) => void;
}

interface Scale {
  readonly stores: number;
  readonly categories: number;
  /** A Monday: the history starts here. */
  readonly start: number;
  /** Days of history before the first run; a whole number of weeks, so runs start on a Monday. */
  readonly historyDays: number;
  readonly simulatedDays: number;
}

export const SCALES: Readonly<Record<'test' | 'full', Scale>> = {
  test: { stores: 8, categories: 3, start: Date.UTC(2024, 2, 4), historyDays: 252, simulatedDays: 21 },
  full: { stores: 25, categories: 4, start: Date.UTC(2023, 6, 3), historyDays: 672, simulatedDays: 56 },
};

export const JOB_NAME = 'forecast:daily-sales';
export const JOB_SCHEDULE = '0 2 * * *';
const HOUR_MS = 3_600_000;

/**
 * The sales forecasting blueprint: generate two years of tickets, backfill daily totals per
 * store × category, run the daily forecasting job under the real Scheduler on a simulated clock
 * (one run a day at 02:00 UTC, each from the data before its day), and score its forecast files
 * against the actuals beside the seasonal-naive baseline.
 */
export async function runForecastingBlueprint(options: ForecastingOptions = {}): Promise<ForecastingReport> {
  return simulateForecasting(options);
}

/** runForecastingBlueprint, with a hook to change the events before they are used (tests perturb the future with it). */
export async function simulateForecasting(options: ForecastingOptions & { readonly transformEvents?: (sales: Sales) => Table }): Promise<ForecastingReport> {
  const scaleName = options.scale ?? 'full';
  const scale = SCALES[scaleName];
  const seed = options.seed ?? 11;
  const say = options.onProgress ?? (() => undefined);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tandem-forecasting-'));
  for (const part of ['forecasts', 'models', 'registry', 'daily-sales.parquet']) rmSync(join(dir, part), { recursive: true, force: true });
  // Enough days after the last run for its 7-day forecasts to be scored.
  const days = scale.historyDays + scale.simulatedDays + HORIZON - 1;

  let started = performance.now();
  say(`generating ${scale.stores} stores × ${scale.categories} categories over ${days} days`);
  const sales = generateSales({ stores: scale.stores, categories: scale.categories, start: scale.start, days, lateOpeningDay: scale.historyDays - 35, seed });
  const events = options.transformEvents?.(sales) ?? sales.events;
  const generateMs = performance.now() - started;

  started = performance.now();
  say(`backfilling daily_sales over ${events.length.toLocaleString('en-US')} tickets`);
  const series = dailySeries(events, { stores: sales.stores.map((s) => s.store), categories: sales.categories, start: scale.start, days });
  await writeTable(series.table, join(dir, 'daily-sales.parquet'));
  const backfillMs = performance.now() - started;

  started = performance.now();
  const firstRun = scale.start + scale.historyDays * DAY_MS;
  const forecasts: Table[] = [];
  const runs = await simulateJob({ series, dir, from: firstRun, days: scale.simulatedDays, say, onForecasts: (table) => forecasts.push(table) });
  const simulateMs = performance.now() - started;

  started = performance.now();
  say('scoring the forecasts against the actuals');
  const results = runs.map((r) => r.result).filter((r): r is ForecastRunResult => r !== null);
  const scores = score(series, forecasts);
  const models = results.filter((r) => r.reestimated).map((r) => join('models', `${r.origin}.json`));
  const chosenModels: Partial<Record<Candidate, number>> = {};
  for (const file of models) {
    for (const model of JSON.parse(await readFile(join(dir, file), 'utf8')) as SeriesModel[]) chosenModels[model.candidate] = (chosenModels[model.candidate] ?? 0) + 1;
  }
  const evaluateMs = performance.now() - started;

  return {
    scale: scaleName,
    seed,
    dir,
    data: {
      stores: scale.stores,
      categories: sales.categories,
      series: series.keys.length,
      events: events.length,
      from: isoDate(scale.start),
      to: isoDate(scale.start + (days - 1) * DAY_MS),
    },
    simulation: { from: isoDate(firstRun), to: isoDate(firstRun + (scale.simulatedDays - 1) * DAY_MS), days: scale.simulatedDays },
    job: { name: JOB_NAME, schedule: JOB_SCHEDULE, runs },
    ...scores,
    chosenModels,
    files: { dailySales: 'daily-sales.parquet', forecasts: results.map((r) => r.file), models, jobStore: join('registry', 'registry.db') },
    elapsedMs: { generate: generateMs, backfill: backfillMs, simulate: simulateMs, evaluate: evaluateMs },
  };
}

/**
 * Defines the job on a Scheduler with a SQLite store and a simulated clock that starts at the
 * first run's midnight, then moves the clock from one pending timer to the next (the
 * scheduler's hourly checks, lease renewals) until the last run's day is over, waiting for the
 * scheduler at each step. The job fires at 02:00 each day and forecasts from that day's midnight.
 */
async function simulateJob(options: {
  series: DailySeries;
  dir: string;
  from: number;
  days: number;
  say: (line: string) => void;
  onForecasts: (table: Table) => void;
}): Promise<JobRunSummary[]> {
  const { series, dir, from, days, say, onForecasts } = options;
  const clock = new ManualClock(from);
  const store = SqliteJobStore.open({ dir: join(dir, 'registry') });
  const scheduler = new Scheduler({
    store,
    clock,
    owner: 'forecasting-blueprint',
    pollIntervalMs: HOUR_MS,
    log: (entry) => say(`${entry.at} ${entry.job}: ${entry.message}`),
  });
  const forecast = forecastingJob({ series, dir, onForecasts });
  try {
    scheduler.define({
      name: JOB_NAME,
      schedule: JOB_SCHEDULE,
      run: async ({ log, signal }) => {
        // The origin is the run's own day: after downtime the one catch-up run forecasts from today.
        const originDay = Math.floor((clock.now() - series.start) / DAY_MS);
        const result = await forecast(originDay, signal);
        log(
          `forecast ${result.origin} +${HORIZON - 1} d for ${result.series} series (${result.holtWinters} Holt-Winters, ${result.seasonalNaive} seasonal naive)` +
            `${result.reestimated ? ', models re-chosen' : ''} → ${result.file}`,
        );
        return { ...result };
      },
    });
    await scheduler.start();
    await scheduler.idle();
    const end = from + days * DAY_MS;
    for (let next = clock.nextTimerAt(); next !== undefined && next < end; next = clock.nextTimerAt()) {
      clock.set(next);
      await scheduler.idle();
    }
  } finally {
    await scheduler.stop();
  }
  const history = await scheduler.history(JOB_NAME);
  await store.close();
  return history.reverse().map((run) => ({
    trigger: run.trigger,
    scheduledFor: run.scheduledFor,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    attempt: run.attempt,
    status: run.status,
    error: run.error,
    result: run.result as unknown as ForecastRunResult | null,
  }));
}

/** Scores the Holt-Winters rows of the forecast tables, and the baseline on the same rows, against the actuals. */
function score(series: DailySeries, tables: readonly Table[]): Pick<ForecastingReport, 'overall' | 'byHorizon' | 'byStore' | 'naiveFallbackRows'> {
  const index = new Map(series.keys.map((k, s) => [`${k.store}\u0000${k.category}`, s]));
  const tally = (): { hw: AccuracyTally; naive: AccuracyTally } => ({ hw: new AccuracyTally(), naive: new AccuracyTally() });
  const overall = tally();
  const byHorizon = Array.from({ length: HORIZON }, tally);
  const byStore = new Map(series.stores.map((store) => [store, tally()]));
  let naiveFallbackRows = 0;
  for (const table of tables) {
    const col = <T extends 'string' | 'number' | 'timestamp'>(name: string, type: T): Extract<Table['columns'] extends ReadonlyMap<string, infer C> ? C : never, { type: T }> => {
      const column = table.columns.get(name);
      if (column?.type !== type) throw new Error(`forecast column '${name}' is not ${type}`);
      return column as never;
    };
    const store = col('store', 'string');
    const category = col('category', 'string');
    const date = col('date', 'timestamp');
    const horizon = col('horizon', 'number');
    const forecast = col('forecast', 'number');
    const naive = col('seasonal_naive', 'number');
    const method = col('method', 'string');
    for (let i = 0; i < table.length; i++) {
      if (!(method.dictionary[method.codes[i] as number] as string).startsWith('holt-winters')) {
        naiveFallbackRows++;
        continue;
      }
      const storeName = store.dictionary[store.codes[i] as number] as string;
      const s = index.get(`${storeName}\u0000${category.dictionary[category.codes[i] as number] as string}`) as number;
      const day = Math.round(((date.values[i] as number) - series.start) / DAY_MS);
      if (day >= series.days) continue;
      const actual = (series.revenue[s] as Float64Array)[day] as number;
      for (const t of [overall, byHorizon[(horizon.values[i] as number) - 1], byStore.get(storeName)]) {
        t?.hw.add(actual, forecast.values[i] as number);
        t?.naive.add(actual, naive.values[i] as number);
      }
    }
  }
  const result = (t: { hw: AccuracyTally; naive: AccuracyTally }): Comparison => ({ holtWinters: t.hw.result(), seasonalNaive: t.naive.result() });
  return {
    overall: result(overall),
    byHorizon: byHorizon.map((t, h) => ({ horizon: h + 1, ...result(t) })),
    byStore: [...byStore].filter(([, t]) => t.hw.result().count > 0).map(([store, t]) => ({ store, ...result(t) })),
    naiveFallbackRows,
  };
}
