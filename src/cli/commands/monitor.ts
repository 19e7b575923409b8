import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { TandemError } from '../../errors.js';
import { readTable } from '../../io/index.js';
import type { Column } from '../../io/table.js';
import { binaryReport } from '../../models/metrics/binary-report.js';
import { regressionReport } from '../../models/metrics/regression-report.js';
import { measureDrift, type CurrentValues } from '../../monitoring/measure-drift.js';
import { renderReport } from '../../monitoring/report/index.js';
import type { AlertRecord, ReferenceProfile } from '../../monitoring/types.js';
import { openRegistry, registryLocation } from '../../registry/open-registry.js';
import { parseModelRef } from '../../registry/registry.js';
import { predictionLogFiles } from '../../serving/prediction-log.js';

interface ReportFlags {
  readonly config: string;
  readonly dataDir: string;
  readonly model: string;
  readonly current?: string;
  readonly rows: string;
  readonly out: string;
}

/** Current values from a file: one column per feature (and optionally `score` or `prediction`). */
interface Current {
  readonly values: Map<string, CurrentValues>;
  readonly rows: number;
  /** Scores and labels of the predictions that got feedback (prediction log only). */
  readonly scores?: Float64Array;
  readonly labels?: Float64Array;
}

async function fromFile(path: string, profile: ReferenceProfile): Promise<Current> {
  const table = await readTable(path);
  const values = new Map<string, CurrentValues>();
  const convert = (column: Column): CurrentValues =>
    column.type === 'string' ? Array.from(column.codes, (code) => (code < 0 ? null : column.dictionary[code]!)) : column.type === 'json' ? [] : column.values;
  for (const feature of profile.features) {
    const column = table.columns.get(feature.name);
    if (column !== undefined) values.set(feature.name, convert(column));
  }
  const scores = table.columns.get('score') ?? table.columns.get('prediction');
  if (profile.prediction !== null && scores !== undefined) values.set(profile.prediction.name, convert(scores));
  return { values, rows: table.length };
}

interface LoggedLine {
  readonly type: string;
  readonly id: string;
  readonly model: string;
  readonly score?: number;
  readonly label?: number;
  readonly fallback?: unknown;
  readonly features?: Record<string, unknown>;
}

/** Current values from the prediction log of a server: the latest `rows` predictions the model itself scored, with any labels. */
async function fromPredictionLog(path: string, model: string, rows: number, profile: ReferenceProfile): Promise<Current> {
  const files = await predictionLogFiles(path);
  if (files.length === 0) throw new TandemError('TANDEM_USAGE', `no prediction log at ${path}: give --current <file>, or serve the model first (tandem serve)`);
  // Newest file first, until enough predictions: a label always comes after its prediction,
  // so the files read hold every label of the predictions taken.
  let predictions: LoggedLine[] = [];
  const labels = new Map<string, number>();
  for (const file of files.reverse()) {
    const found: LoggedLine[] = [];
    const fileLabels = new Map<string, number>();
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (text === '') continue;
      const line = JSON.parse(text) as LoggedLine;
      if (line.model !== model) continue;
      if (line.type === 'prediction' && line.fallback === null) found.push(line);
      if (line.type === 'feedback' && typeof line.label === 'number') fileLabels.set(line.id, line.label);
    }
    // The latest label wins: those of newer files were read first.
    for (const [id, label] of fileLabels) if (!labels.has(id)) labels.set(id, label);
    predictions = [...found, ...predictions];
    if (predictions.length >= rows) break;
  }
  const recent = predictions.slice(-rows);
  const values = new Map<string, CurrentValues>();
  for (const feature of profile.features) {
    values.set(
      feature.name,
      feature.kind === 'number'
        ? Float64Array.from(recent, (p) => {
            const v = p.features?.[feature.name];
            return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.NaN;
          })
        : recent.map((p) => {
            const v = p.features?.[feature.name];
            return typeof v === 'string' ? v : null;
          }),
    );
  }
  if (profile.prediction !== null) values.set(profile.prediction.name, Float64Array.from(recent, (p) => p.score ?? Number.NaN));
  const labelled = recent.filter((p) => labels.has(p.id));
  return { values, rows: recent.length, scores: Float64Array.from(labelled, (p) => p.score!), labels: Float64Array.from(labelled, (p) => labels.get(p.id)!) };
}

export function registerMonitor(program: Command): void {
  const monitor = program.command('monitor').description('drift and performance reports');
  monitor
    .command('report')
    .description("a static HTML drift and performance report: current data against the model version's training profile")
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the registry and prediction log live', '.tandem')
    .requiredOption('-m, --model <model[@version]>', 'the model (its champion by default)')
    .option('--current <file>', 'current data: a column per feature, optionally score (default: the prediction log of tandem serve)')
    .option('--rows <n>', 'latest predictions to take from the prediction log', '5000')
    .requiredOption('-o, --out <file>', 'the HTML file to write')
    .action(async (flags: ReportFlags) => {
      const project = await loadProject(flags.config);
      const { model, ref } = parseModelRef(flags.model);
      const definition = project.models.get(model);
      if (definition === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${model}' (the project defines: ${[...project.models.keys()].join(', ') || 'none'})`);
      const rows = Number(flags.rows);
      if (!(Number.isInteger(rows) && rows > 0)) throw new TandemError('TANDEM_USAGE', `--rows must be a positive whole number, got '${flags.rows}'`);
      const registry = await openRegistry(flags.dataDir);
      try {
        const saved = await registry.get(model, ref ?? 'champion');
        if (saved === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `no version '${flags.model}' in ${registryLocation(flags.dataDir)}`);
        const profile = await registry.profile(model, saved.version);
        if (profile === undefined) throw new TandemError('TANDEM_USAGE', `${model}@${saved.version} was registered without a reference profile; retrain it to monitor drift`);
        const current: Current = flags.current !== undefined ? await fromFile(flags.current, profile) : await fromPredictionLog(join(flags.dataDir, 'serving', 'predictions.ndjson'), model, rows, profile);
        if (current.rows === 0) throw new TandemError('TANDEM_USAGE', `no current rows for model '${model}' to compare`);
        const drift = measureDrift(profile, (column) => current.values.get(column), definition.monitoring.drift, { at: Date.now(), windowSize: current.rows });
        let performance: Record<string, number | null> | undefined;
        if (current.labels !== undefined && current.scores !== undefined && current.labels.length > 0) {
          const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
          if (definition.task === 'regression') {
            const r = regressionReport(current.scores, current.labels);
            performance = { labelled: current.labels.length, mae: finite(r.mae), rmse: finite(r.rmse) };
          } else {
            const r = binaryReport(current.scores, current.labels);
            performance = { labelled: current.labels.length, rocAuc: finite(r.rocAuc), logLoss: finite(r.logLoss), accuracy: finite(r.accuracy), brierScore: finite(r.brierScore) };
          }
        }
        const alerts = (await registry.audit(model, { limit: 200 }))
          .filter((e) => e.action === 'alert')
          .map((e) => ({ ...(e.detail as unknown as AlertRecord), at: Date.parse(e.at) }))
          .reverse();
        await mkdir(dirname(flags.out), { recursive: true });
        await writeFile(flags.out, renderReport({ model, version: saved.version, generatedAt: Date.now(), reference: profile, drift, ...(performance ? { performance } : {}), alerts }));
        const drifted = drift.columns.filter((c) => c.drifted).map((c) => c.column);
        process.stdout.write(
          `monitor report: ${model}@${saved.version}, ${current.rows} current rows: ${drift.drifted ? 'dataset drift' : 'no dataset drift'} (share ${drift.driftShare.toFixed(2)}` +
            `${drifted.length > 0 ? `; drifted: ${drifted.join(', ')}` : ''}) → ${flags.out}\n`,
        );
      } finally {
        await registry.close();
      }
    });
}
