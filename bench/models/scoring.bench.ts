/**
 * GBDT scoring, one row at a time as serving scores: the forest's three layouts in one process —
 * complete trees comparing ranks (the default for forests up to MAX_COMPLETE_DEPTH deep), the
 * same complete trees comparing values, and the linked breadth-first layout every forest has —
 * over the same rows, taking turns. Checks that all give the same margin, bit for bit, for
 * every row.
 *
 *   npx tsx --conditions development bench/models/scoring.bench.ts
 *   npx tsx --conditions development bench/models/scoring.bench.ts --rows 200000 --runs 7
 */
import { Command } from 'commander';
import { MAX_COMPLETE_DEPTH, marginOf, marginsOf, scoringForestOf, type ScoringForest } from '../../src/models/gbdt/forest.js';
import { parseGbdtParams, type GbdtParamsInput } from '../../src/models/gbdt/params.js';
import { train } from '../../src/models/gbdt/train.js';
import { wholeNumber } from '../options.js';
import { generateClassification } from './data.js';

const options = new Command('scoring.bench')
  .description('GBDT single-row scoring: ranked and complete-tree layouts against the linked layout, same process')
  .option('--rows <n>', 'rows to generate (the first 80 % train the models, the rest are scored)', wholeNumber, 200_000)
  .option('--trees <n>', 'boosting rounds of each model', wholeNumber, 200)
  .option('--runs <n>', 'timed passes over the scored rows per layout, taking turns (the median is reported)', wholeNumber, 5)
  .parse()
  .opts<{ rows: number; trees: number; runs: number }>();

const set = generateClassification({ rows: options.rows, seed: 7 });
const models: readonly { readonly name: string; readonly params: GbdtParamsInput }[] = [
  { name: 'depth 6', params: { maxDepth: 6 } },
  { name: 'depth 8', params: { maxDepth: 8 } },
  { name: 'leaf-wise, 31 leaves, depth ≤ 8', params: { growth: 'leafwise', maxLeaves: 31, maxDepth: 8 } },
];

const test = set.test;
const features = test.columns.length;
const rows = new Float64Array(test.rows * features);
for (let i = 0; i < test.rows; i++) for (let j = 0; j < features; j++) rows[i * features + j] = test.columns[j]![i]!;

/** Seconds per row of one pass, and the sum of the margins (so the work is not optimised away). */
function pass(scoring: ScoringForest): { seconds: number; sum: number } {
  const x = new Float64Array(features);
  let sum = 0;
  const started = performance.now();
  for (let i = 0; i < test.rows; i++) {
    x.set(rows.subarray(i * features, (i + 1) * features));
    sum += marginOf(scoring, x);
  }
  return { seconds: (performance.now() - started) / 1000 / test.rows, sum };
}

/** Seconds per row of one `marginsOf` call over every scored row (tree-major), and the sum of the margins. */
function batchPass(scoring: ScoringForest): { seconds: number; sum: number } {
  const out = new Float64Array(test.rows);
  const started = performance.now();
  marginsOf(scoring, test.columns, out);
  const seconds = (performance.now() - started) / 1000 / test.rows;
  return { seconds, sum: out.reduce((a, b) => a + b, 0) };
}

const median = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1]!;
console.log(`${options.trees} trees per model, ${test.rows.toLocaleString('en-US')} rows scored one at a time, ${options.runs} passes per layout taking turns; Node ${process.version}`);
let failed = false;
for (const { name, params } of models) {
  const trained = train(parseGbdtParams({ rounds: options.trees, learningRate: 0.1, seed: 1, ...params }), set.train, {});
  const ranked = scoringForestOf(trained.forest);
  const complete = scoringForestOf(trained.forest, MAX_COMPLETE_DEPTH, false);
  const linked = scoringForestOf(trained.forest, 0);
  if (ranked.ranked === undefined || complete.complete === undefined) throw new Error(`${name}: no complete layout`);
  const x = new Float64Array(features);
  let differ = 0;
  for (let i = 0; i < test.rows; i++) {
    x.set(rows.subarray(i * features, (i + 1) * features));
    const margin = marginOf(linked, x);
    if (!Object.is(marginOf(complete, x), margin) || !Object.is(marginOf(ranked, x), margin)) differ++;
  }
  const together = new Float64Array(test.rows);
  marginsOf(ranked, test.columns, together);
  for (let i = 0; i < test.rows; i++) {
    x.set(rows.subarray(i * features, (i + 1) * features));
    if (!Object.is(together[i], marginOf(linked, x))) differ++;
  }
  const times = { batch: [] as number[], ranked: [] as number[], complete: [] as number[], linked: [] as number[] };
  batchPass(ranked);
  pass(ranked);
  pass(complete);
  pass(linked);
  for (let r = 0; r < options.runs; r++) {
    times.linked.push(pass(linked).seconds);
    times.complete.push(pass(complete).seconds);
    times.ranked.push(pass(ranked).seconds);
    times.batch.push(batchPass(ranked).seconds);
  }
  const [b, q, c, l] = [median(times.batch), median(times.ranked), median(times.complete), median(times.linked)].map((t) => t * 1e6) as [number, number, number, number];
  console.log(
    `${name.padEnd(32)} depth ${complete.complete.depth}: ranked ${q.toFixed(2)} µs/row, complete ${c.toFixed(2)} µs/row (${(c / q).toFixed(2)}×), linked ${l.toFixed(2)} µs/row (${(l / q).toFixed(2)}×); ` +
      `all rows in one marginsOf call ${b.toFixed(2)} µs/row (${(q / b).toFixed(2)}× one at a time, ranked); margins differing: ${differ}`,
  );
  if (differ > 0) failed = true;
}
if (failed) process.exitCode = 1;
