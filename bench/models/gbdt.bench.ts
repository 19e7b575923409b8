/**
 * GBDT benchmark: Tandem's histogram gradient-boosted trees against xgboost (tree_method hist)
 * and scikit-learn's HistGradientBoostingClassifier, same generated data (bench/models/data.ts,
 * time split), same rounds, depth, learning rate, lambda and min_child_weight. Reports test AUC,
 * log loss and fit time of each (Python times are measured inside Python around the fit only)
 * and the ratios, all from one run.
 *
 *   npx tsx --conditions development bench/models/gbdt.bench.ts                 # 1,000,000 rows
 *   npx tsx --conditions development bench/models/gbdt.bench.ts --rows 200000
 *   npx tsx --conditions development bench/models/gbdt.bench.ts --python /path/to/python3 --threads 2
 *   npx tsx --conditions development bench/models/gbdt.bench.ts --baselines xgboost
 *   npx tsx --conditions development bench/models/gbdt.bench.ts --skip-python   # Tandem only
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { gbdt } from '../../src/models/gbdt/index.js';
import { logLoss } from '../../src/models/metrics/log-loss.js';
import { rocAuc } from '../../src/models/metrics/roc-auc.js';
import { generateClassification, writeForPython } from './data.js';

const wholeNumber = (value: string): number => {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number above 0, got '${value}'`);
  return n;
};
const positive = (value: string): number => {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a number above 0, got '${value}'`);
  return n;
};

const options = new Command('gbdt.bench')
  .description('Tandem GBDT vs xgboost hist and scikit-learn HistGradientBoosting on the same data')
  .option('--rows <n>', 'rows to generate (the last 20 % are the test set)', wholeNumber, 1_000_000)
  .option('--rounds <n>', 'boosting rounds', wholeNumber, 100)
  .option('--depth <n>', 'max depth', wholeNumber, 6)
  .option('--learning-rate <x>', 'learning rate', positive, 0.1)
  .option('--lambda <x>', 'L2 on leaf values', positive, 1)
  .option('--min-child-weight <x>', 'least hessian sum in a child', positive, 1)
  .option('--threads <n>', 'threads for every library', wholeNumber, 2)
  .option('--seed <n>', 'data seed', wholeNumber, 42)
  .option('--python <path>', 'python with xgboost and scikit-learn (or $PYTHON)', process.env['PYTHON'] ?? 'python3')
  .option('--baselines <list>', 'Python baselines to run, comma-separated: xgboost, sklearn', 'xgboost,sklearn')
  .option('--skip-python', 'train Tandem only', false)
  .parse()
  .opts<{
    rows: number;
    rounds: number;
    depth: number;
    learningRate: number;
    lambda: number;
    minChildWeight: number;
    threads: number;
    seed: number;
    python: string;
    baselines: string;
    skipPython: boolean;
  }>();

interface Result {
  readonly library: string;
  readonly fitSeconds: number;
  /** CPU time of every thread of the process during the fit. */
  readonly fitCpuSeconds: number;
  readonly auc: number;
  readonly logLoss: number;
}

const phase = (text: string): void => {
  process.stderr.write(`[gbdt.bench] ${text}\n`);
};

phase(`generating ${options.rows.toLocaleString('en-US')} rows (seed ${options.seed})`);
const set = generateClassification({ rows: options.rows, seed: options.seed });
const results: Result[] = [];

phase(`Tandem: ${options.rounds} rounds, depth ${options.depth}, ${options.threads} threads`);
const model = gbdt({
  objective: 'logloss',
  rounds: options.rounds,
  maxDepth: options.depth,
  learningRate: options.learningRate,
  lambda: options.lambda,
  minChildWeight: options.minChildWeight,
  maxBins: 255,
  threads: options.threads,
});
const start = performance.now();
const cpuStart = process.cpuUsage();
const report = model.fit(set.train);
const tandemSeconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
phase(`Tandem fit used ${report.threads} thread(s)`);
const proba = model.predictProba(set.test);
const labels = set.test.label as Float64Array;
results.push({
  library: 'Tandem gbdt',
  fitSeconds: tandemSeconds,
  fitCpuSeconds: (cpu.user + cpu.system) / 1e6,
  auc: rocAuc(proba, labels),
  logLoss: logLoss(proba, labels),
});

if (!options.skipPython) {
  const dir = mkdtempSync(join(os.tmpdir(), 'tandem-gbdt-bench-'));
  try {
    writeForPython(set, dir);
    const scripts = join(dirname(fileURLToPath(import.meta.url)), 'python');
    const args = [options.rounds, options.depth, options.learningRate, options.lambda, options.minChildWeight, options.threads].map(String);
    const wanted = new Set(options.baselines.split(',').map((name) => name.trim()));
    const baselines = [['xgboost', 'xgboost_hist.py'], ['sklearn', 'sklearn_hgb.py']].filter(([name]) => wanted.has(name as string));
    for (const [, script] of baselines as [string, string][]) {
      phase(`${script}`);
      const run = spawnSync(options.python, [join(scripts, script), dir, ...args], { cwd: scripts, encoding: 'utf8' });
      if (run.status !== 0) {
        phase(`${script} failed (exit ${run.status}): ${run.stderr || run.error?.message}`);
        continue;
      }
      results.push(JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as Result);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const xgb = results.find((r) => r.library.startsWith('xgboost'));
const tandem = results[0] as Result;
console.log(
  `GBDT benchmark: ${options.rows.toLocaleString('en-US')} rows (train ${set.train.rows.toLocaleString('en-US')}, test ${set.test.rows.toLocaleString('en-US')} by time), ` +
    `12 features; ${options.rounds} rounds, depth ${options.depth}, learning rate ${options.learningRate}, lambda ${options.lambda}, ` +
    `min child weight ${options.minChildWeight}, ${options.threads} threads; ${os.cpus().length} CPUs`,
);
console.log('library                       fit s   fit CPU s   test AUC   log loss');
for (const r of results) {
  console.log(
    `${r.library.padEnd(28)} ${r.fitSeconds.toFixed(2).padStart(6)}   ${r.fitCpuSeconds.toFixed(2).padStart(8)}   ${r.auc.toFixed(5)}   ${r.logLoss.toFixed(5)}`,
  );
}
if (xgb !== undefined) {
  console.log(
    `Tandem vs xgboost: fit time ratio ${(tandem.fitSeconds / xgb.fitSeconds).toFixed(2)} (target ≤ 1), ` +
      `CPU time ratio ${(tandem.fitCpuSeconds / xgb.fitCpuSeconds).toFixed(2)}, ` +
      `AUC difference ${(tandem.auc - xgb.auc).toFixed(5)} (target within ±0.002), ` +
      `log loss difference ${(tandem.logLoss - xgb.logLoss).toFixed(5)}`,
  );
}
const sk = results.find((r) => r.library.startsWith('scikit-learn'));
if (sk !== undefined) {
  console.log(`Tandem vs scikit-learn: fit time ratio ${(tandem.fitSeconds / sk.fitSeconds).toFixed(2)}, AUC difference ${(tandem.auc - sk.auc).toFixed(5)}`);
}
