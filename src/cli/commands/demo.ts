import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../config/load-project.js';
import { generateTransactions } from '../../demo/transactions.js';
import { backfill } from '../../engine/backfill.js';
import { backfillParallel } from '../../engine/backfill-parallel.js';
import { columnOf } from '../../engine/column-of.js';
import { StreamEngine } from '../../engine/stream.js';
import { columnValue } from '../../io/column-value.js';
import { TandemError } from '../../errors.js';
import { readTable, writeTable } from '../../io/index.js';
import type { Column, Table } from '../../io/table.js';
import { formatCount, formatSeconds } from '../format.js';
import { progressBar } from '../progress.js';
import { trainModel } from '../../training/train.js';
import { FRAUD_CONFIG, runFraudLive } from '../../blueprints/fraud/live.js';
import { formatFraudLiveReport } from '../../blueprints/fraud/report.js';
import { formatForecastingReport, runForecastingBlueprint } from '../../blueprints/forecasting/index.js';
import { formatMaintenanceReport, runMaintenanceBlueprint } from '../../blueprints/maintenance/index.js';
import { formatPersonalizationReport, runPersonalizationBlueprint } from '../../blueprints/personalization/index.js';

interface DemoFlags {
  readonly events?: string;
  readonly dir: string;
  readonly sample: string;
  readonly duration: string;
  readonly rate: string;
  readonly port: string;
  readonly seed: string;
  readonly scale: 'test' | 'full';
}

const BLUEPRINTS = ['fraud', 'features', 'personalization', 'maintenance', 'forecasting'] as const;
type Blueprint = (typeof BLUEPRINTS)[number];

function positive(flag: string, text: string, what = 'a positive whole number'): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new TandemError('TANDEM_USAGE', `${flag} must be ${what}, got '${text}'`);
  return value;
}

const VIEWS = ['card_stats', 'merchant_stats', 'card_merchant_stats', 'tx_request'];

function row(table: Table, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, column] of table.columns) out[name] = columnValue(column, i);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  return Object.is(a, b);
}

export function registerDemo(program: Command): void {
  program
    .command('demo [blueprint]')
    .description(
      'run a blueprint end to end: fraud (default: the live loop — train, serve, stream, monitor, retrain, promote), ' +
        'features (backfill/stream parity on card transactions), personalization, maintenance, forecasting',
    )
    .option('-n, --events <count>', 'fraud: payments in the 60-day history (default 50000); features: transactions to generate (default 200000)')
    .option('-d, --dir <dir>', 'where to write the demo files', '.tandem/demo')
    .option('--duration <seconds>', 'fraud: how long the live run lasts, set-up included', '120')
    .option('--rate <per-second>', 'fraud: live payments per second', '200')
    .option('--port <port>', 'fraud: HTTP port of the server (0: any free port)', '0')
    .option('--seed <n>', 'random seed of the generated data', '7')
    .option('--scale <test|full>', 'personalization, maintenance, forecasting: a quick run or the full one', 'full')
    .option('--sample <count>', 'features: entities whose stream reads are checked against backfill', '2000')
    .action(async (blueprint: string | undefined, flags: DemoFlags) => {
      const chosen = (blueprint ?? 'fraud') as Blueprint;
      if (!BLUEPRINTS.includes(chosen)) throw new TandemError('TANDEM_USAGE', `unknown blueprint '${blueprint}'; choose one of ${BLUEPRINTS.join(', ')}`);
      if (chosen === 'features') return runFeaturesDemo(flags);
      return runBlueprint(chosen, flags);
    });
}

/** A blueprint's live or bounded run, with progress lines and its summary. */
async function runBlueprint(blueprint: Exclude<Blueprint, 'features'>, flags: DemoFlags): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed)) throw new TandemError('TANDEM_USAGE', `--seed must be a whole number, got '${flags.seed}'`);
  if (flags.scale !== 'test' && flags.scale !== 'full') throw new TandemError('TANDEM_USAGE', `--scale must be test or full, got '${flags.scale}'`);
  const batch = { dir: join(flags.dir, blueprint), scale: flags.scale, seed, onProgress: out } as const;
  if (blueprint === 'personalization') return out(formatPersonalizationReport(await runPersonalizationBlueprint(batch)));
  if (blueprint === 'maintenance') return out(formatMaintenanceReport(await runMaintenanceBlueprint(batch)));
  if (blueprint === 'forecasting') return out(formatForecastingReport(await runForecastingBlueprint(batch)));
  const controller = new AbortController();
  const stop = (): void => {
    out('stopping: finishing the retraining in progress, then the summary');
    controller.abort();
  };
  process.once('SIGINT', stop);
  try {
    out(`Tandem fraud blueprint, live: project ${join('examples', 'fraud', 'tandem.config.ts')}; Ctrl-C ends early with the summary`);
    const report = await runFraudLive({
      dir: flags.dir,
      durationSeconds: positive('--duration', flags.duration, 'a positive whole number of seconds'),
      rate: positive('--rate', flags.rate),
      historyEvents: positive('--events', flags.events ?? '50000'),
      port: Number(flags.port),
      seed,
      signal: controller.signal,
      onProgress: out,
    });
    out(formatFraudLiveReport(report));
  } finally {
    process.off('SIGINT', stop);
  }
}

/**
 * The end-to-end feature demo on generated card transactions: write the events to Parquet,
 * backfill a point-in-time training set, stream the same events through the online engine,
 * and check that stream reads equal backfill values for a sample of entities.
 */
async function runFeaturesDemo(flags: DemoFlags): Promise<void> {
      const n = Number(flags.events ?? '200000');
      const sample = Number(flags.sample);
      if (!Number.isInteger(n) || n < 1) throw new TandemError('TANDEM_USAGE', `--events must be a positive whole number, got '${flags.events ?? ''}'`);
      if (!Number.isInteger(sample) || sample < 1) throw new TandemError('TANDEM_USAGE', `--sample must be a positive whole number, got '${flags.sample}'`);
      const out = (line: string): void => void process.stdout.write(`${line}\n`);
      mkdirSync(flags.dir, { recursive: true });
      const eventsFile = join(flags.dir, 'transactions.parquet');
      const trainingFile = join(flags.dir, 'training.parquet');

      out(`Tandem demo: card transactions, project ${join('examples', 'fraud', 'tandem.config.ts')}`);
      let started = performance.now();
      await writeTable(generateTransactions({ events: n }), eventsFile);
      out(`1. generated ${formatCount(n)} transactions → ${eventsFile} (${formatSeconds((performance.now() - started) / 1000)})`);

      const project = await loadProject(FRAUD_CONFIG);
      const source = project.sources.get('transactions')!;
      const types = Object.fromEntries([...source.fields.values()].map((f) => [f.name, f.type]));
      const events = await readTable(eventsFile, { types });

      started = performance.now();
      const bar = progressBar('backfill');
      const training = await backfillParallel(project, { views: VIEWS, events, spine: 'events', onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      const backfillSeconds = (performance.now() - started) / 1000;
      await writeTable(training.table, trainingFile);
      const featureCount = training.table.columns.size - events.columns.size;
      out(
        `2. backfill: ${featureCount} features for each of ${formatCount(n)} transactions as of its own time → ${trainingFile}` +
          ` (${formatSeconds(backfillSeconds)}, ${formatCount(Math.round(n / backfillSeconds))} rows/s)`,
      );

      const engine = new StreamEngine(project);
      const cursor = events.columns;
      const names = [...cursor.keys()];
      const columns: Column[] = names.map((name) => cursor.get(name)!);
      started = performance.now();
      for (let i = 0; i < n; i++) {
        const event: Record<string, unknown> = {};
        for (let c = 0; c < names.length; c++) event[names[c]!] = columnValue(columns[c]!, i);
        engine.apply('transactions', event);
      }
      const streamSeconds = (performance.now() - started) / 1000;
      out(
        `3. stream: applied ${formatCount(engine.appliedCount)} events one by one (${formatCount(Math.round(n / streamSeconds))} events/s,` +
          ` rejected ${engine.rejectedCount}); online state holds ${formatCount(engine.entityCount('card_stats'))} cards,` +
          ` ${formatCount(engine.entityCount('merchant_stats'))} merchants, ${formatCount(engine.entityCount('card_merchant_stats'))} card×merchant pairs`,
      );

      // Parity: read sampled entities from the stream as of just after the last event, and
      // compute the same rows by backfill.
      const at = engine.watermark('transactions') + 1;
      const cardColumn = events.columns.get('card')!;
      const merchantColumn = events.columns.get('merchant')!;
      const spineRows: Record<string, unknown>[] = [];
      for (let i = 0; i < sample; i++) {
        const r = Math.floor((i * n) / sample);
        spineRows.push({ card: columnValue(cardColumn, r), merchant: columnValue(merchantColumn, r), ts: at, amount: 42, country: 'US' });
      }
      const spine: Table = {
        length: spineRows.length,
        columns: new Map<string, Column>([
          ['card', columnOf(spineRows.map((s) => s['card']))],
          ['merchant', columnOf(spineRows.map((s) => s['merchant']))],
          ['ts', { type: 'timestamp', values: new Float64Array(spineRows.length).fill(at) }],
          ['amount', { type: 'number', values: new Float64Array(spineRows.length).fill(42) }],
          ['country', columnOf(spineRows.map((s) => s['country']))],
        ]),
      };
      const batch = backfill(project, { views: VIEWS, events, spine });
      let compared = 0;
      let differing = 0;
      for (let i = 0; i < spine.length; i++) {
        const expected = row(batch.table, i);
        const request = spineRows[i]!;
        const live: Record<string, unknown> = {
          ...engine.read('card_stats', request['card'] as string, { at }),
          ...engine.read('merchant_stats', request['merchant'] as string, { at }),
          ...engine.read('card_merchant_stats', request, { at }),
          ...engine.requestFeatures('tx_request', request, { at }),
        };
        for (const [name, value] of Object.entries(live)) {
          compared++;
          if (!same(value, expected[name])) {
            differing++;
            if (differing <= 5) out(`   differs: row ${i} feature ${name}: stream ${JSON.stringify(value)} vs backfill ${JSON.stringify(expected[name])}`);
          }
        }
      }
      out(`4. parity: ${formatCount(compared)} feature values read from the stream for ${formatCount(sample)} entities; ${differing === 0 ? 'all identical to backfill' : `${differing} differ from backfill`}`);

      const example = row(batch.table, 0);
      out(`5. features of ${String(example['card'])} as of ${new Date(at).toISOString()}:`);
      for (const [name, value] of Object.entries(example)) {
        if (['card', 'merchant', 'ts', 'amount', 'country'].includes(name)) continue;
        out(`   ${name.padEnd(26)} ${typeof value === 'number' ? Number(value.toPrecision(6)) : JSON.stringify(value)}`);
      }

      started = performance.now();
      const trainBar = progressBar('train');
      const trained = await trainModel(project, 'fraud', { events: { transactions: events }, onProgress: (_phase, d, t) => trainBar.update(d, t) });
      trainBar.stop();
      const m = trained.metrics;
      const fixed = (value: number | null | undefined): string => (typeof value === 'number' ? value.toFixed(4) : '–');
      out(
        `6. train: a ${trained.kind.toUpperCase()} on ${formatCount(trained.lineage.rows.train)} transactions, tested on the ${formatCount(trained.lineage.rows.test)} latest` +
          ` (${formatSeconds((performance.now() - started) / 1000)}): ROC AUC ${fixed(m['rocAuc'])}, PR AUC ${fixed(m['prAuc'])},` +
          ` log loss ${fixed(m['logLoss'])} vs ${fixed(m['baselineLogLoss'])} for always answering the fraud rate`,
      );
      const importance = Object.entries(trained.fit.featureImportance ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 5);
      if (importance.length > 0) out(`   most useful features: ${importance.map(([name]) => name).join(', ')}`);
      if (differing > 0) process.exitCode = 1;
}
