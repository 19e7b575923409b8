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
 *   npx tsx --conditions development bench/models/gbdt.bench.ts --runs 3 --baselines xgboost   # 3 pairs taking turns
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
import { wholeNumber, positive } from '../options.js';
import { generateClassification, writeForPython } from './data.js';

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
  .option('--tandem <list>', 'Tandem variants to fit, comma-separated: exact, quantized (quantizeGradients: true)', 'exact,quantized')
  .option('--runs <n>', 'runs, Tandem and the baselines taking turns; ratios are per run, then their median', wholeNumber, 1)
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
    tandem: string;
    runs: number;
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

const VARIANTS = { exact: 'Tandem gbdt', quantized: 'Tandem gbdt, quantized' } as const;
type Variant = keyof typeof VARIANTS;
const variants = options.tandem.split(',').map((name) => name.trim());
for (const name of variants) {
  if (!(name in VARIANTS)) throw new InvalidArgumentError(`--tandem: unknown variant '${name}'; known: ${Object.keys(VARIANTS).join(', ')}`);
}

function fitTandem(run: number, variant: Variant): Result {
  phase(`run ${run}: ${VARIANTS[variant]}: ${options.rounds} rounds, depth ${options.depth}, ${options.threads} threads`);
  const model = gbdt({
    objective: 'logloss',
    rounds: options.rounds,
    maxDepth: options.depth,
    learningRate: options.learningRate,
    lambda: options.lambda,
    minChildWeight: options.minChildWeight,
    maxBins: 255,
    threads: options.threads,
    ...(variant === 'quantized' ? { quantizeGradients: true } : {}),
  });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const report = model.fit(set.train);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  phase(`Tandem fit used ${report.threads} thread(s)`);
  const proba = model.predictProba(set.test);
  const labels = set.test.label as Float64Array;
  return {
    library: VARIANTS[variant],
    fitSeconds: seconds,
    fitCpuSeconds: (cpu.user + cpu.system) / 1e6,
    auc: rocAuc(proba, labels),
    logLoss: logLoss(proba, labels),
  };
}

// Runs take turns (Tandem, then each baseline, then Tandem again …): this machine's speed drifts
// by tens of percent within minutes, so only a run's own pair compares, and the median of the
// pairs' ratios is the figure.
const runs: Result[][] = [];
const dir = options.skipPython ? undefined : mkdtempSync(join(os.tmpdir(), 'tandem-gbdt-bench-'));
try {
  if (dir !== undefined) writeForPython(set, dir);
  const scripts = join(dirname(fileURLToPath(import.meta.url)), 'python');
  const args = [options.rounds, options.depth, options.learningRate, options.lambda, options.minChildWeight, options.threads].map(String);
  const wanted = new Set(options.baselines.split(',').map((name) => name.trim()));
  const baselines = [['xgboost', 'xgboost_hist.py'], ['sklearn', 'sklearn_hgb.py']].filter(([name]) => wanted.has(name as string)) as [string, string][];
  for (let run = 1; run <= options.runs; run++) {
    const results = (variants as Variant[]).map((variant) => fitTandem(run, variant));
    for (const [, script] of dir === undefined ? [] : baselines) {
      phase(`run ${run}: ${script}`);
      const child = spawnSync(options.python, [join(scripts, script), dir!, ...args], { cwd: scripts, encoding: 'utf8' });
      if (child.status !== 0) {
        phase(`${script} failed (exit ${child.status}): ${child.stderr || child.error?.message}`);
        continue;
      }
      results.push(JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as Result);
    }
    runs.push(results);
  }
} finally {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
console.log(
  `GBDT benchmark: ${options.rows.toLocaleString('en-US')} rows (train ${set.train.rows.toLocaleString('en-US')}, test ${set.test.rows.toLocaleString('en-US')} by time), ` +
    `12 features; ${options.rounds} rounds, depth ${options.depth}, learning rate ${options.learningRate}, lambda ${options.lambda}, ` +
    `min child weight ${options.minChildWeight}, ${options.threads} threads; ${os.cpus().length} CPUs; ${options.runs} run(s) taking turns`,
);
console.log('run  library                       fit s   fit CPU s   test AUC   log loss');
runs.forEach((results, i) => {
  for (const r of results) {
    console.log(
      `${String(i + 1).padStart(3)}  ${r.library.padEnd(28)} ${r.fitSeconds.toFixed(2).padStart(6)}   ${r.fitCpuSeconds.toFixed(2).padStart(8)}   ${r.auc.toFixed(5)}   ${r.logLoss.toFixed(5)}`,
    );
  }
});
/** Per run, a Tandem variant's fit time (or CPU time) over the named library's. */
const ratios = (library: string, prefix: string, of: (r: Result) => number): number[] =>
  runs.flatMap((results) => {
    const mine = results.find((r) => r.library === library);
    const other = results.find((r) => r.library.startsWith(prefix));
    return mine === undefined || other === undefined ? [] : [of(mine) / of(other)];
  });
const list = (values: readonly number[]): string => values.map((v) => v.toFixed(2)).join(', ');
for (const variant of variants as Variant[]) {
  const library = VARIANTS[variant];
  const tandem = runs[0]?.find((r) => r.library === library);
  if (tandem === undefined) continue;
  const xgb = runs[0]?.find((r) => r.library.startsWith('xgboost'));
  if (xgb !== undefined) {
    const time = ratios(library, 'xgboost', (r) => r.fitSeconds);
    const cpu = ratios(library, 'xgboost', (r) => r.fitCpuSeconds);
    console.log(
      `${library} vs xgboost: fit time ratio ${median(time).toFixed(2)} (target ≤ 1; per run ${list(time)}), ` +
        `CPU time ratio ${median(cpu).toFixed(2)} (per run ${list(cpu)}), ` +
        `AUC difference ${(tandem.auc - xgb.auc).toFixed(5)} (target within ±0.002), ` +
        `log loss difference ${(tandem.logLoss - xgb.logLoss).toFixed(5)}`,
    );
  }
  const sk = runs[0]?.find((r) => r.library.startsWith('scikit-learn'));
  if (sk !== undefined) {
    const time = ratios(library, 'scikit-learn', (r) => r.fitSeconds);
    console.log(`${library} vs scikit-learn: fit time ratio ${median(time).toFixed(2)} (per run ${list(time)}), AUC difference ${(tandem.auc - sk.auc).toFixed(5)}`);
  }
}
