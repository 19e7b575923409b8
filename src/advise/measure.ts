import { StreamEngine } from '../engine/stream.js';
import { count, max, mean, std } from '../features/aggregations.js';
import { entity } from '../features/entity.js';
import { featureView } from '../features/feature-view.js';
import { defineProject } from '../features/project.js';
import { source } from '../features/source.js';
import type { Row } from '../models/model.js';
import { ftrl } from '../models/online/ftrl.js';
import { backfill } from '../engine/backfill.js';
import { columnOf } from '../engine/column-of.js';
import type { Column, Table } from '../io/table.js';
import type { Throughput } from './throughput.js';

/** What `tandem advise --measure` measures on this machine, per core (one thread). */
export type Measured = Pick<Throughput, 'streamApplyPerVcpu' | 'readScorePerVcpu' | 'learnPerVcpu' | 'backfillRowsPerVcpu'>;

export interface MeasureOptions {
  /** Seconds to spend per figure (about four figures). @default 0.75 */
  readonly seconds?: number;
  /** Called before each figure, for progress. */
  readonly onStep?: (step: string) => void;
}

/** A small payments project like the benchmark's: two views, six features over three windows. */
function benchProject() {
  const payments = source('payments', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number' } });
  const card = entity('card', { key: 'card' });
  const merchant = entity('merchant', { key: 'merchant' });
  const byCard = featureView('by_card', payments, {
    entity: card,
    features: { card_tx_1h: count({ window: '1h' }), card_amount_mean_24h: mean('amount', { window: '24h' }), card_amount_max_7d: max('amount', { window: '7d' }), card_amount_std_7d: std('amount', { window: '7d' }) },
  });
  const byMerchant = featureView('by_merchant', payments, { entity: merchant, features: { merchant_tx_1h: count({ window: '1h' }), merchant_amount_mean_7d: mean('amount', { window: '7d' }) } });
  return defineProject({ views: [byCard, byMerchant] });
}

/** Seeded payments: 10,000 cards, 500 merchants, 50 ms apart. */
function generate(n: number, start: number): Row[] {
  let state = 0x9e3779b9;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const events: Row[] = new Array(n);
  for (let i = 0; i < n; i++) {
    events[i] = { ts: start + i * 50, card: `c${Math.floor(random() * 10_000)}`, merchant: `m${Math.floor(random() ** 2 * 500)}`, amount: Math.round(Math.exp(3 + random() * 2) * 100) / 100 };
  }
  return events;
}

/** Run `work(i)` in rounds until `seconds` pass; operations per second of wall time. */
function rate(seconds: number, batch: number, work: (i: number) => void): number {
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < seconds * 1000) {
    for (let k = 0; k < batch; k++) work(done + k);
    done += batch;
  }
  return Math.round(done / ((performance.now() - started) / 1000));
}

/**
 * A few seconds of measurement on this machine: the stream engine's batched apply rate, the in-process
 * predict path (two online reads and an FTRL score), online updates and backfill from rows.
 * One thread each, so the figures are per core; they vary with the machine's load.
 */
export function measureThroughput(options: MeasureOptions = {}): Measured {
  const seconds = options.seconds ?? 0.75;
  const project = benchProject();
  const start = Date.UTC(2026, 0, 1);
  const events = generate(400_000, start);
  const engine = new StreamEngine(project);

  options.onStep?.('stream apply');
  // In micro-batches, as `tandem stream` applies the log. Warm up the engine (JIT, state
  // growth) before timing; events are built before timing too.
  const BATCH = 10_000;
  engine.applyBatch('payments', events.slice(0, 2 * BATCH));
  const batches: Row[][] = [];
  for (let i = 2 * BATCH; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  let applied = 0;
  const applyStarted = performance.now();
  while (performance.now() - applyStarted < seconds * 1000 && applied < batches.length) engine.applyBatch('payments', batches[applied++]!);
  const streamApplyPerVcpu = Math.round((applied * BATCH) / ((performance.now() - applyStarted) / 1000));

  options.onStep?.('read + score');
  const model = ftrl();
  const at = engine.watermark('payments') + 1;
  const toRow = (card: Readonly<Record<string, unknown>>, merchant: Readonly<Record<string, unknown>>): Row => {
    const row: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(card)) row[k] = typeof v === 'number' ? v : null;
    for (const [k, v] of Object.entries(merchant)) row[k] = typeof v === 'number' ? v : null;
    return row;
  };
  let sink = 0;
  const readScorePerVcpu = rate(seconds, 500, (i) => {
    const e = events[i % 10_000]!;
    sink += model.predictProbaOne(toRow(engine.read('by_card', e['card'] as string, { at }), engine.read('by_merchant', e['merchant'] as string, { at })));
  });

  options.onStep?.('online updates');
  const rows = events.slice(0, 10_000).map((e) => ({ amount: e['amount'] as number, card_tx_1h: (e['ts'] as number) % 7, merchant: e['merchant'] as string }));
  const learnPerVcpu = rate(seconds, 1_000, (i) => model.learnOne(rows[i % rows.length]!, i % 9 === 0 ? 1 : 0));

  options.onStep?.('backfill');
  // Columnar, as files are read: the table is built before timing.
  const history = events.slice(0, 100_000);
  const columns = new Map<string, Column>(['ts', 'card', 'merchant', 'amount'].map((name) => [name, columnOf(history.map((e) => e[name]))]));
  const table: Table = { length: history.length, columns };
  backfill(project, { views: ['by_card', 'by_merchant'], events: table, spine: 'events' });
  const started = performance.now();
  let backfilled = 0;
  while (performance.now() - started < seconds * 1000) {
    backfill(project, { views: ['by_card', 'by_merchant'], events: table, spine: 'events' });
    backfilled += history.length;
  }
  const backfillRowsPerVcpu = Math.round(backfilled / ((performance.now() - started) / 1000));
  if (sink < 0) throw new Error('unreachable: probabilities are positive');
  return { streamApplyPerVcpu, readScorePerVcpu, learnPerVcpu, backfillRowsPerVcpu };
}
