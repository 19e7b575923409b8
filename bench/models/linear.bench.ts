/**
 * Tandem LogisticRegression against scikit-learn's (lbfgs, same C, the same mean imputation) on
 * the generated classification set: test AUC, log loss and training time, in one run.
 *
 *   npx tsx --conditions development bench/models/linear.bench.ts [--rows 1000000] [--C 1]
 *
 * The Python side runs `$PYTHON` (default `python3`), which needs numpy and scikit-learn.
 * Both sides' test probabilities are scored by Tandem's own rocAuc and logLoss.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { logisticRegression } from '../../src/models/linear/index.js';
import { logLoss } from '../../src/models/metrics/log-loss.js';
import { rocAuc } from '../../src/models/metrics/roc-auc.js';
import { generateClassification, writeForPython } from './data.js';

interface SklearnResult {
  readonly sklearn: string;
  readonly imputeSeconds: number;
  readonly fitSeconds: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly coef: number[];
  readonly intercept: number;
  readonly auc: number;
  readonly logLoss: number;
}

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    C: { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
  },
});
const rows = Number(values.rows);
const C = Number(values.C);
const log = (message: string): void => void process.stderr.write(`${message}\n`);

log(`generating ${rows.toLocaleString('en-US')} rows…`);
const set = generateClassification({ rows, seed: Number(values.seed) });
const label = set.test.label as Float64Array;
const directory = mkdtempSync(join(tmpdir(), 'tandem-linear-bench-'));
try {
  writeForPython(set, directory);

  log('Tandem: fitting…');
  const model = logisticRegression({ C });
  const started = performance.now();
  const report = model.fit(set.train);
  const tandemSeconds = (performance.now() - started) / 1000;
  const tandemProba = model.predictProba(set.test);

  log('scikit-learn: fitting…');
  const python = process.env['PYTHON'] ?? 'python3';
  const script = join(import.meta.dirname, 'python', 'sklearn_logreg.py');
  const child = spawnSync(python, [script, directory, '--C', String(C)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) {
    throw new Error(`${python} ${script} failed (set PYTHON to a Python with numpy and scikit-learn):\n${child.stderr}`);
  }
  const sklearn = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as SklearnResult;
  const bytes = readFileSync(join(directory, 'sklearn_proba.f64'));
  const sklearnProba = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);

  let coefficientGap = 0;
  set.train.featureNames.forEach((name, j) => {
    const ours = model.coefficients[name] as number;
    const theirs = sklearn.coef[j] as number;
    coefficientGap = Math.max(coefficientGap, Math.abs(ours - theirs) / Math.max(Math.abs(theirs), 1e-12));
  });

  // scikit-learn's objective C·Σ loss + ½‖w‖² on the training set, for both solutions: the lower is nearer the optimum.
  const means = set.train.columns.map((column) => {
    let sum = 0;
    let count = 0;
    for (const v of column) {
      if (Number.isNaN(v)) continue;
      sum += v;
      count++;
    }
    return count === 0 ? 0 : sum / count;
  });
  const objective = (coef: readonly number[], intercept: number): number => {
    const train = set.train;
    const eta = new Float64Array(train.rows).fill(intercept);
    train.columns.forEach((column, j) => {
      const w = coef[j] as number;
      for (let i = 0; i < train.rows; i++) {
        const v = column[i] as number;
        eta[i] = (eta[i] as number) + w * (Number.isNaN(v) ? (means[j] as number) : v);
      }
    });
    let loss = 0;
    for (let i = 0; i < train.rows; i++) {
      const e = eta[i] as number;
      loss += (e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e))) - ((train.label as Float64Array)[i] as number) * e;
    }
    return C * loss + 0.5 * coef.reduce((sum, w) => sum + w * w, 0);
  };
  const tandemCoef = set.train.featureNames.map((name) => model.coefficients[name] as number);

  const row = (name: string, auc: number, loss: number, seconds: number, note: string): string =>
    `${name.padEnd(22)} ${auc.toFixed(6).padStart(10)} ${loss.toFixed(6).padStart(10)} ${seconds.toFixed(2).padStart(9)}  ${note}`;
  console.log(`\nLogistic regression, C = ${C}: ${set.train.rows.toLocaleString('en-US')} train rows, ${set.test.rows.toLocaleString('en-US')} test rows (time split), 12 features with missing values`);
  console.log(`${'model'.padEnd(22)} ${'test AUC'.padStart(10)} ${'log loss'.padStart(10)} ${'fit (s)'.padStart(9)}  notes`);
  console.log(row('Tandem', rocAuc(tandemProba, label), logLoss(tandemProba, label), tandemSeconds, `L-BFGS ${report.iterations} iterations, stopped by ${report.stoppedBy}; includes imputation and standardization`));
  console.log(
    row(
      `scikit-learn ${sklearn.sklearn}`,
      rocAuc(sklearnProba, label),
      logLoss(sklearnProba, label),
      sklearn.fitSeconds,
      `lbfgs ${sklearn.iterations} iterations${sklearn.converged ? '' : ' (ConvergenceWarning)'}; numpy mean imputation ${sklearn.imputeSeconds.toFixed(2)} s not included`,
    ),
  );
  console.log(`sklearn's own metrics on its probabilities: AUC ${sklearn.auc.toFixed(6)}, log loss ${sklearn.logLoss.toFixed(6)}`);
  console.log(
    `objective C·Σloss + ½‖w‖² on the training set: Tandem ${objective(tandemCoef, model.intercept).toFixed(4)}, scikit-learn ${objective(sklearn.coef, sklearn.intercept).toFixed(4)}`,
  );
  console.log(`largest relative coefficient difference: ${coefficientGap.toExponential(2)}; intercepts ${model.intercept.toFixed(6)} vs ${sklearn.intercept.toFixed(6)}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
