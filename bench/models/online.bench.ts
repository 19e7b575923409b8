/**
 * Online logistic regression benchmark (DESIGN.md "Performance targets"): FTRL-Proximal updates
 * per second, and prequential AUC (score each row, then learn it, over train + test in time
 * order) against scikit-learn's SGDClassifier(loss='log_loss') with partial_fit.
 *
 *   npx tsx --conditions development bench/models/online.bench.ts [--rows 1000000] [--seed 42]
 *     [--runs 3] [--batches 32]
 *     [--settings default,invscaling,constant] [--python python3] [--skip-python] [--json]
 *
 * Fairness: both learners get the same numbers. The TypeScript side standardises each row with
 * StreamingStandardScaler in time order (learn the row, then transform it: no label is used, and
 * no statistic from a later row), then imputes missing values with 0 (= the running mean, after
 * scaling), and hands exactly that matrix to Python. FTRL is also run on the raw rows (no scaling,
 * missing values skipped natively) for reference.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dataset } from '../../src/models/dataset.js';
import { logLoss } from '../../src/models/metrics/log-loss.js';
import { rocAuc } from '../../src/models/metrics/roc-auc.js';
import type { Row } from '../../src/models/model.js';
import { ftrl } from '../../src/models/online/ftrl.js';
import { streamingStandardScaler } from '../../src/models/online/standard-scaler.js';
import { FEATURE_NAMES, generateClassification, writeForPython, type ClassificationSet } from './data.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    runs: { type: 'string', default: '3' },
    batches: { type: 'string', default: '32' },
    settings: { type: 'string', default: 'default,invscaling,constant' },
    python: { type: 'string', default: process.env['TANDEM_PYTHON'] ?? 'python3' },
    'skip-python': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const RUNS = Number(args.runs);
const BATCHES = args.batches.split(',').map(Number);
const SETTINGS = args.settings.split(',');
const progress = (message: string): void => void process.stderr.write(`[online bench] ${message}\n`);

interface Stream {
  readonly names: readonly string[];
  readonly rows: number;
  /** Row-major values, NaN = missing. */
  readonly matrix: Float64Array;
  readonly labels: Float64Array;
}

/** Train then test: the whole stream in time order. */
function streamOf(set: ClassificationSet): Stream {
  const names = set.train.featureNames;
  const rows = set.train.rows + set.test.rows;
  const width = names.length;
  const matrix = new Float64Array(rows * width);
  const labels = new Float64Array(rows);
  let i = 0;
  for (const part of [set.train, set.test]) {
    for (let r = 0; r < part.rows; r++, i++) {
      for (let j = 0; j < width; j++) matrix[i * width + j] = (part.columns[j] as Float64Array)[r] as number;
      labels[i] = (part.label as Float64Array)[r] as number;
    }
  }
  return { names, rows, matrix, labels };
}

/** The stream with 8 more columns (copies of the first 8 under new names): the "~20 features" of the target. */
function widened(stream: Stream, extra: number): Stream {
  const width = stream.names.length;
  const wide = width + extra;
  const matrix = new Float64Array(stream.rows * wide);
  for (let i = 0; i < stream.rows; i++) {
    for (let j = 0; j < wide; j++) matrix[i * wide + j] = stream.matrix[i * width + (j % width)] as number;
  }
  const names = [...stream.names, ...Array.from({ length: extra }, (_, k) => `${stream.names[k]}_copy`)];
  return { names, rows: stream.rows, matrix, labels: stream.labels };
}

/**
 * Rows as a server gets them from JSON.parse: objects with V8 fast properties (Object.fromEntries
 * builds the same). `assigned` builds them by adding keys one by one to `{}`, which past about a
 * dozen keys makes V8 store them as slow dictionaries: measured too, as a caveat for callers.
 */
function rowObjects(stream: Stream, options: { assigned?: boolean } = {}): Row[] {
  const width = stream.names.length;
  return Array.from({ length: stream.rows }, (_, i) => {
    if (options.assigned) {
      const row: Record<string, number> = {};
      for (let j = 0; j < width; j++) row[stream.names[j] as string] = stream.matrix[i * width + j] as number;
      return row;
    }
    return Object.fromEntries(stream.names.map((name, j) => [name, stream.matrix[i * width + j] as number]));
  });
}

function rowViews(stream: Stream): Float64Array[] {
  const width = stream.names.length;
  return Array.from({ length: stream.rows }, (_, i) => stream.matrix.subarray(i * width, (i + 1) * width));
}

interface Rate {
  /** Rows per second of wall-clock time. */
  readonly wall: number;
  /** Rows per second of this process's CPU time (user + system): steadier on a shared machine. */
  readonly cpu: number;
}

/** Best of RUNS, each over a fresh model. */
function updatesPerSecond(count: number, run: () => void): Rate {
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    run();
    const used = process.cpuUsage(cpuStart);
    wall = Math.max(wall, count / ((performance.now() - start) / 1000));
    cpu = Math.max(cpu, count / ((used.user + used.system) / 1e6));
  }
  return { wall, cpu };
}

function speed(stream: Stream): { learnOne: Rate; learnOneDictionaryRows: Rate; dense: Rate } {
  const labels = stream.labels;
  const timeLearnOne = (rows: readonly Row[]): Rate =>
    updatesPerSecond(stream.rows, () => {
      const model = ftrl();
      for (let i = 0; i < rows.length; i++) model.learnOne(rows[i] as Row, labels[i] as number);
    });
  const learnOne = timeLearnOne(rowObjects(stream));
  const learnOneDictionaryRows = timeLearnOne(rowObjects(stream, { assigned: true }));
  const views = rowViews(stream);
  const dense = updatesPerSecond(stream.rows, () => {
    const model = ftrl({ denseFeatures: [...stream.names] });
    for (let i = 0; i < views.length; i++) model.learnDense(views[i] as Float64Array, labels[i] as number);
  });
  return { learnOne, learnOneDictionaryRows, dense };
}

/** Online standardisation (learn, then transform, each row in time order), then missing → 0. */
function scaledAndImputed(stream: Stream): Stream {
  const scaler = streamingStandardScaler();
  const width = stream.names.length;
  const matrix = new Float64Array(stream.matrix.length);
  const row: Record<string, number> = {};
  for (let i = 0; i < stream.rows; i++) {
    for (let j = 0; j < width; j++) row[stream.names[j] as string] = stream.matrix[i * width + j] as number;
    scaler.learnOne(row);
    const scaled = scaler.transformOne(row);
    for (let j = 0; j < width; j++) {
      const v = scaled[stream.names[j] as string] as number;
      matrix[i * width + j] = Number.isNaN(v) ? 0 : v;
    }
  }
  return { ...stream, matrix };
}

function prequentialFtrl(stream: Stream, dense: boolean): { auc: number; logLoss: number; updatesPerSecond: number } {
  const scores = new Float64Array(stream.rows);
  const labels = stream.labels;
  const model = ftrl({ denseFeatures: [...stream.names] });
  const start = performance.now();
  if (dense) {
    const views = rowViews(stream);
    const begin = performance.now();
    for (let i = 0; i < views.length; i++) {
      scores[i] = model.predictProbaDense(views[i] as Float64Array);
      model.learnDense(views[i] as Float64Array, labels[i] as number);
    }
    return { auc: rocAuc(scores, labels), logLoss: logLoss(scores, labels), updatesPerSecond: stream.rows / ((performance.now() - begin) / 1000) };
  }
  const rows = rowObjects(stream);
  const begin = Math.max(start, performance.now());
  for (let i = 0; i < rows.length; i++) {
    scores[i] = model.predictProbaOne(rows[i] as Row);
    model.learnOne(rows[i] as Row, labels[i] as number);
  }
  return { auc: rocAuc(scores, labels), logLoss: logLoss(scores, labels), updatesPerSecond: stream.rows / ((performance.now() - begin) / 1000) };
}

interface SgdRun {
  readonly setting: string;
  readonly batch: number;
  readonly fitSeconds: number;
  readonly totalSeconds: number;
}

function prequentialSgd(stream: Stream, cut: number): { library: string; runs: (SgdRun & { auc: number })[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-online-bench-'));
  try {
    const width = stream.names.length;
    const part = (from: number, to: number) =>
      dataset({
        featureNames: stream.names,
        columns: stream.names.map((_, j) => Float64Array.from({ length: to - from }, (_, r) => stream.matrix[(from + r) * width + j] as number)),
        label: stream.labels.slice(from, to),
      });
    writeForPython({ train: part(0, cut), test: part(cut, stream.rows), time: new Float64Array(stream.rows) }, dir);
    const script = fileURLToPath(new URL('./python/sklearn_sgd.py', import.meta.url));
    const result = spawnSync(args.python, [script, dir, SETTINGS.join(','), BATCHES.join(',')], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (result.status !== 0) throw new Error(`${args.python} sklearn_sgd.py failed: ${result.stderr || result.error?.message}`);
    const report = JSON.parse(result.stdout) as { library: string; runs: SgdRun[] };
    return {
      library: report.library,
      runs: report.runs.map((run) => {
        const bytes = readFileSync(join(dir, `sgd_scores_${run.setting}_${run.batch}.f64`));
        const scores = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
        return { ...run, auc: rocAuc(scores, stream.labels) };
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  progress(`generating ${ROWS.toLocaleString('en')} rows (seed ${args.seed})`);
  const set = generateClassification({ rows: ROWS, seed: Number(args.seed) });
  const stream = streamOf(set);
  const load = loadavg()[0] ?? 0;
  progress(`FTRL updates/s, ${FEATURE_NAMES.length} features, best of ${RUNS}`);
  const narrow = speed(stream);
  progress(`FTRL updates/s, ${FEATURE_NAMES.length + 8} features, best of ${RUNS}`);
  const wide = speed(widened(stream, 8));
  progress('scaling and imputing the stream');
  const scaled = scaledAndImputed(stream);
  progress('FTRL prequential');
  const ftrlScaled = prequentialFtrl(scaled, true);
  const ftrlScaledRows = prequentialFtrl(scaled, false);
  const ftrlRaw = prequentialFtrl(stream, false);
  let sgd: ReturnType<typeof prequentialSgd> | undefined;
  if (!args['skip-python']) {
    progress(`scikit-learn SGDClassifier prequential, settings ${SETTINGS.join(', ')}, batches ${BATCHES.join(', ')} (batch 1 takes minutes)`);
    sgd = prequentialSgd(scaled, set.train.rows);
  }
  const result = { rows: stream.rows, seed: Number(args.seed), runs: RUNS, speed: { features12: narrow, features20: wide }, ftrlScaled, ftrlScaledRows, ftrlRaw, sgd };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const m = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M/s` : `${(v / 1e3).toFixed(1)} k/s`);
  const rate = (r: Rate): string => `${m(r.wall)} (CPU time: ${m(r.cpu)})`;
  const lines = [
    `Online logistic regression, ${stream.rows.toLocaleString('en')} rows in time order (node ${process.version})`,
    `FTRL updates/s (best of ${RUNS}, rows built before timing; target ≥ 1 M/s; load average ${load.toFixed(1)} at the start, ${availableParallelism()} cores):`,
    `  ${FEATURE_NAMES.length} features: learnOne(Row) ${rate(narrow.learnOne)}; learnDense ${rate(narrow.dense)}; learnOne, rows built key by key ${rate(narrow.learnOneDictionaryRows)}`,
    `  ${FEATURE_NAMES.length + 8} features: learnOne(Row) ${rate(wide.learnOne)}; learnDense ${rate(wide.dense)}; learnOne, rows built key by key ${rate(wide.learnOneDictionaryRows)}`,
    'Prequential AUC (score, then learn, every row); scaled = online standardisation then missing → 0, same input for both:',
    `  FTRL scaled, dense:     AUC ${ftrlScaled.auc.toFixed(4)}  log loss ${ftrlScaled.logLoss.toFixed(4)}  ${m(ftrlScaled.updatesPerSecond)} predict+learn`,
    `  FTRL scaled, Row:       AUC ${ftrlScaledRows.auc.toFixed(4)}  log loss ${ftrlScaledRows.logLoss.toFixed(4)}  ${m(ftrlScaledRows.updatesPerSecond)} predict+learn`,
    `  FTRL raw, missing skipped: AUC ${ftrlRaw.auc.toFixed(4)}  log loss ${ftrlRaw.logLoss.toFixed(4)}`,
    ...(sgd === undefined
      ? ['  SGDClassifier: skipped']
      : sgd.runs.map(
          (run) =>
            `  ${sgd.library} SGDClassifier(log_loss) ${run.setting}, batch ${run.batch}: AUC ${run.auc.toFixed(4)}  partial_fit ${m(stream.rows / run.fitSeconds)}, predict+learn ${m(stream.rows / run.totalSeconds)}`,
        )),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
