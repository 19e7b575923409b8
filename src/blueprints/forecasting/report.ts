import type { RunStatus, RunTrigger } from '../../jobs/job-store.js';
import type { Candidate } from './forecast.js';
import type { Accuracy } from './metrics.js';
import type { ForecastRunResult } from './forecast-job.js';

/** Holt-Winters and the seasonal-naive baseline on the same forecasts. */
export interface Comparison {
  readonly holtWinters: Accuracy;
  readonly seasonalNaive: Accuracy;
}

export interface JobRunSummary {
  readonly trigger: RunTrigger;
  readonly scheduledFor: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly attempt: number;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly result: ForecastRunResult | null;
}

export interface ForecastingReport {
  readonly scale: 'test' | 'full';
  readonly seed: number;
  /** Where the files were written. */
  readonly dir: string;
  readonly data: {
    readonly stores: number;
    readonly categories: readonly string[];
    readonly series: number;
    /** Point-of-sale tickets generated. */
    readonly events: number;
    /** First and last day of sales (UTC dates). */
    readonly from: string;
    readonly to: string;
  };
  readonly simulation: {
    /** Origin of the first and the last run. */
    readonly from: string;
    readonly to: string;
    readonly days: number;
  };
  readonly job: {
    readonly name: string;
    readonly schedule: string;
    /** The run history from the job store, oldest first. */
    readonly runs: readonly JobRunSummary[];
  };
  /** Holt-Winters forecasts scored (rows of the forecast files with a Holt-Winters method and a known actual). */
  readonly overall: Comparison;
  /** By horizon, 1 (the origin day) … 7. */
  readonly byHorizon: readonly ({ readonly horizon: number } & Comparison)[];
  readonly byStore: readonly ({ readonly store: string } & Comparison)[];
  /** How often each Holt-Winters form was chosen, over the re-estimations and series. */
  readonly chosenModels: Readonly<Partial<Record<Candidate, number>>>;
  /** Forecast rows of series too young for Holt-Winters (seasonal naive); not in the comparison. */
  readonly naiveFallbackRows: number;
  readonly files: {
    /** The backfilled daily totals per store × category. */
    readonly dailySales: string;
    readonly forecasts: readonly string[];
    readonly models: readonly string[];
    /** The SQLite job store holding the run history. */
    readonly jobStore: string;
  };
  /** Wall-clock time of each stage; the only part that differs between runs with one seed. */
  readonly elapsedMs: { readonly generate: number; readonly backfill: number; readonly simulate: number; readonly evaluate: number };
}

const pct = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} %` : '—');

/** A readable summary: data, the job's runs, accuracy by horizon and overall, files. */
export function formatForecastingReport(report: ForecastingReport): string {
  const lines: string[] = [];
  const { data, simulation, job } = report;
  lines.push(`Sales forecasting blueprint (${report.scale} scale, seed ${report.seed})`);
  lines.push(
    `  data: ${data.events.toLocaleString('en-US')} tickets, ${data.stores} stores × ${data.categories.length} categories = ${data.series} daily series, ${data.from} … ${data.to}`,
  );
  const succeeded = job.runs.filter((r) => r.status === 'succeeded').length;
  lines.push(
    `  job '${job.name}' (${job.schedule}, UTC): ${job.runs.length} runs over ${simulation.days} simulated days (${simulation.from} … ${simulation.to}), ${succeeded} succeeded`,
  );
  const chosen = Object.entries(report.chosenModels).map(([k, v]) => `${k} ${v}`).join(', ');
  lines.push(`  models chosen by validation (every 28 days): ${chosen || 'none'}; seasonal-naive fallback rows: ${report.naiveFallbackRows}`);
  lines.push('');
  lines.push('  horizon   forecasts   MAPE HW   MAPE naive   sMAPE HW   sMAPE naive   WAPE HW   WAPE naive');
  const row = (label: string, c: Comparison): string =>
    `  ${label.padEnd(8)}${String(c.holtWinters.count).padStart(11)}${pct(c.holtWinters.mape).padStart(10)}${pct(c.seasonalNaive.mape).padStart(13)}` +
    `${pct(c.holtWinters.smape).padStart(11)}${pct(c.seasonalNaive.smape).padStart(14)}${pct(c.holtWinters.wape).padStart(10)}${pct(c.seasonalNaive.wape).padStart(13)}`;
  for (const h of report.byHorizon) lines.push(row(`${h.horizon} d`, h));
  lines.push(row('overall', report.overall));
  const { mape } = report.overall.holtWinters;
  const naive = report.overall.seasonalNaive.mape;
  lines.push('');
  lines.push(
    `  Holt-Winters MAPE is ${pct(mape)} against ${pct(naive)} for the seasonal naive (${((100 * (naive - mape)) / naive).toFixed(0)} % lower); ` +
      `${report.overall.holtWinters.zeroActuals} closed-day actuals (0) are left out of MAPE, kept in sMAPE and WAPE.`,
  );
  const worst = [...report.byStore].sort((a, b) => b.holtWinters.mape - a.holtWinters.mape)[0];
  if (worst !== undefined) lines.push(`  hardest store: ${worst.store} (MAPE ${pct(worst.holtWinters.mape)} vs naive ${pct(worst.seasonalNaive.mape)})`);
  lines.push('');
  lines.push(`  files in ${report.dir}:`);
  lines.push(`    ${report.files.dailySales}  daily totals from the feature engine`);
  lines.push(`    forecasts/  ${report.files.forecasts.length} forecast files, one per run`);
  lines.push(`    models/     ${report.files.models.length} model choices (every 28 days)`);
  lines.push(`    ${report.files.jobStore}  job definitions and run history`);
  return lines.join('\n');
}
