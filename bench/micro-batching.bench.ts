/**
 * Adaptive micro-batching (serving.batching), measured in process: the same 200-tree GBDT and
 * features as bench/predict.bench.ts, one Predictor with batching off and one with it on, over
 * the same engine; closed-loop clients (each awaits its answer before asking again) at several
 * concurrencies, alternating off and on so both see the same machine. Run: npm run bench:batching
 * (BENCH_SECONDS per run, default 3).
 */
import { generateTransactions } from '../src/demo/transactions.js';
import { StreamEngine } from '../src/engine/stream.js';
import type { ModelDefinition } from '../src/features/model.js';
import type { Project } from '../src/features/project.js';
import { tableToRows } from '../src/io/index.js';
import { Predictor } from '../src/serving/predictor.js';
import { scorerOf } from '../src/serving/scorer.js';
import { LoadedModel } from '../src/training/bundle.js';
import { trainModel } from '../src/training/train.js';
import { project } from './predict-project.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const table = generateTransactions({ events: 100_000, cards: 2_000, merchants: 200, days: 30 });
const trained = await trainModel(project, 'fraud', { events: { payments: table } });
const engine = new StreamEngine(project);
const rows: Record<string, unknown>[] = tableToRows(table).map((row) => ({ ...row, is_fraud: null }));
for (const row of rows) engine.apply('payments', row);
const at = (rows.at(-1)!['ts'] as number) + 1;
const requests = Array.from({ length: 1_000 }, (_, i) => {
  const row = rows[(i * 7_919) % rows.length]!;
  return { card: row['card'], merchant: row['merchant'], amount: row['amount'], at };
});

const definition = project.models.get('fraud')!;
const withBatching = (maxBatch: number, maxWaitMs: number): Project => ({
  ...project,
  models: new Map([['fraud', { ...definition, serving: { ...definition.serving, batching: { maxBatch, maxWaitMs } } } satisfies ModelDefinition]]),
});
const gbdt = scorerOf(LoadedModel.fromText(trained.artifact));
/** Busy-waits `micros`: a fixed cost per call, as a remote, native or GPU model has. */
const spin = (micros: number): void => {
  const end = performance.now() + micros / 1000;
  while (performance.now() < end);
};
const CALL_COST_US = 200;
const costly = {
  ...gbdt,
  score: (row: Parameters<typeof gbdt.score>[0]) => (spin(CALL_COST_US), gbdt.score(row)),
  scoreBatch: (batch: Parameters<NonNullable<typeof gbdt.scoreBatch>>[0]) => (spin(CALL_COST_US), gbdt.scoreBatch!(batch)),
};
const servedBy = (scorer: typeof gbdt) => new Map([['fraud', { champion: { version: 1, scorer } }]]);
const scenarios = [
  { name: 'GBDT in process', predictors: { off: new Predictor(project, engine, servedBy(gbdt)), on: new Predictor(withBatching(32, 1), engine, servedBy(gbdt)) } },
  { name: `GBDT behind a ${CALL_COST_US} µs per-call cost`, predictors: { off: new Predictor(project, engine, servedBy(costly)), on: new Predictor(withBatching(32, 1), engine, servedBy(costly)) } },
];

async function load(predictor: Predictor, concurrency: number): Promise<{ perSecond: number; p50: number; p99: number; batch: number }> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await predictor.predict('fraud', requests[next++ % requests.length]);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const sizes = predictor.metrics.batchSizes.series(['fraud']);
  const batch = sizes.count === 0 ? 1 : sizes.sum / sizes.count;
  sizes.count = 0;
  sizes.sum = 0;
  return { perSecond: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length / 2)]! * 1000, p99: latencies[Math.floor(latencies.length * 0.99)]! * 1000, batch };
}

console.log(`micro-batching, in process, ${SECONDS} s per run, closed-loop clients (load average ${(await import('node:os')).loadavg()[0]!.toFixed(2)})`);
for (const { name, predictors } of scenarios) {
console.log(`\n${name}`);
console.log('concurrency  batching   predictions/s   p50 µs    p99 µs   mean batch');
for (const concurrency of [1, 8, 64]) {
  const results: Record<string, Awaited<ReturnType<typeof load>>[]> = { off: [], on: [] };
  for (const round of [0, 1]) {
    for (const mode of round === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) results[mode]!.push(await load(predictors[mode], concurrency));
  }
  for (const mode of ['off', 'on'] as const) {
    const r = results[mode]!;
    const mean = (pick: (x: (typeof r)[number]) => number): number => r.reduce((a, x) => a + pick(x), 0) / r.length;
    console.log(`${String(concurrency).padStart(11)}  ${mode.padEnd(8)} ${Math.round(mean((x) => x.perSecond)).toLocaleString('en-US').padStart(15)} ${mean((x) => x.p50).toFixed(0).padStart(8)} ${mean((x) => x.p99).toFixed(0).padStart(9)} ${mean((x) => x.batch).toFixed(1).padStart(12)}`);
  }
  const ratio = results['on']!.reduce((a, x) => a + x.perSecond, 0) / results['off']!.reduce((a, x) => a + x.perSecond, 0);
  console.log(`${' '.repeat(13)}on / off: ${ratio.toFixed(2)}× the predictions/s`);
}
}
