/**
 * What a retraining does to a serving process's event loop: the same retrain (challenger
 * training set, 200-tree GBDT, the gate against the champion, registration) run in the process,
 * as before, and on a worker thread (`retrainInThread`, what `tandem serve` does now), taking
 * turns. Reports each run's wall time and the event loop's delay while it ran
 * (`monitorEventLoopDelay`, 10 ms resolution): the longest stall is how long a prediction
 * arriving then would wait.
 *
 *   npx tsx --conditions development bench/retrain-thread.bench.ts                 # 100,000 payments, 2 rounds
 *   BENCH_EVENTS=30000 BENCH_ROUNDS=1 npx tsx --conditions development bench/retrain-thread.bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generateTransactions } from '../src/demo/transactions.js';
import { SqliteRegistry } from '../src/registry/sqlite/sqlite-registry.js';
import { retrainModel } from '../src/training/retrain.js';
import { retrainFingerprint, retrainInThread } from '../src/training/retrain-thread.js';
import { trainModel } from '../src/training/train.js';
import { project } from './predict-project.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const CONFIG = fileURLToPath(new URL('./predict-project.ts', import.meta.url));

const dir = await mkdtemp(join(tmpdir(), 'tandem-retrain-bench-'));
try {
  const history = { payments: generateTransactions({ events: EVENTS, cards: 2_000, merchants: 200, days: 30 }) };
  const events = { payments: generateTransactions({ events: EVENTS, cards: 2_000, merchants: 200, days: 30, seed: 11 }) };
  const registry = SqliteRegistry.open({ dir: join(dir, 'registry') });
  const trained = await trainModel(project, 'fraud', { events: history });
  await registry.register({ model: 'fraud', kind: trained.kind, artifact: trained.artifact, metrics: trained.metrics, lineage: trained.lineage, aliases: ['champion'] });
  const fingerprint = retrainFingerprint(project, 'fraud');
  const modes = {
    'in the process': () => retrainModel(project, 'fraud', { registry, events, configPath: CONFIG, reason: 'bench' }),
    'on a thread': () => retrainInThread({ configPath: CONFIG, registry: registry.location, model: 'fraud', fingerprint, events, reason: 'bench' }),
  };
  console.log(`retrain of a 200-tree GBDT on ${EVENTS.toLocaleString('en-US')} payments (the serving benchmark's project), ${ROUNDS} round(s), modes taking turns:`);
  console.log('mode              wall s   longest stall ms   p99 delay ms   mean delay ms');
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mode, retrain] of Object.entries(modes)) {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      // The monitor's first turn only starts its clock: let it run before the retrain does.
      await new Promise((resolve) => setTimeout(resolve, 30));
      const start = performance.now();
      const decision = await retrain();
      const seconds = (performance.now() - start) / 1000;
      // One more turn of the loop: a stall is recorded when the monitor's timer next runs.
      await new Promise((resolve) => setTimeout(resolve, 30));
      delay.disable();
      const ms = (ns: number): string => (ns / 1e6).toFixed(1);
      console.log(
        `${mode.padEnd(16)} ${seconds.toFixed(2).padStart(7)}   ${ms(delay.max).padStart(16)}   ${ms(delay.percentile(99)).padStart(12)}   ${ms(delay.mean).padStart(13)}   (fraud@${decision.challenger})`,
      );
    }
  }
  await registry.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
