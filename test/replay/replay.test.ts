import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { backfill } from '../../src/engine/index.js';
import type { Project } from '../../src/features/project.js';
import type { Row } from '../../src/models/model.js';
import { columnValue } from '../../src/io/column-value.js';
import { tableFromRows } from '../../src/io/index.js';
import type { Table } from '../../src/io/table.js';
import { replay } from '../../src/replay/replay.js';
import type { ReplayOutcome, ReplayResult } from '../../src/replay/types.js';
import { scorerOf } from '../../src/serving/scorer.js';
import type { ServedModel } from '../../src/serving/types.js';
import { LoadedModel } from '../../src/training/bundle.js';
import { trainModel } from '../../src/training/train.js';
import { generateOrders, type Order } from '../fixtures/orders.js';

const CONFIG = 'test/replay/replay.config.ts';
const TYPES = { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' } as const;
const orders = generateOrders(1_200);
const table = tableFromRows(orders, TYPES);
const FROM = Date.UTC(2026, 0, 20);
const TO = Date.UTC(2026, 0, 27);

let project: Project;
let fraud: LoadedModel;
let prior: LoadedModel;
const served = (loaded: LoadedModel, version = 1): ServedModel => ({ champion: { version, scorer: scorerOf(loaded) } });

beforeAll(async () => {
  project = await loadProject(CONFIG);
  fraud = LoadedModel.fromText((await trainModel(project, 'fraud', { events: { orders: table } })).artifact);
  prior = LoadedModel.fromText((await trainModel(project, 'prior', { events: { orders: table } })).artifact);
});

/** Replays `fraud` alone (or beside `candidate`) and keeps every per-event result. */
async function run(options: { from?: number; to?: number; candidate?: ServedModel; events?: Table } = {}) {
  const results: ReplayResult[] = [];
  const report = await replay(project, {
    model: 'fraud',
    versions: [{ label: 'champion', served: served(fraud) }, ...(options.candidate === undefined ? [] : [{ label: 'candidate', served: options.candidate }])],
    events: { orders: options.events ?? table },
    from: options.from ?? FROM,
    to: options.to ?? TO,
    onResult: (result) => results.push(result),
  });
  return { report, results };
}

function answered(outcome: ReplayOutcome | undefined): Extract<ReplayOutcome, { status: 'answered' }> {
  if (outcome?.status !== 'answered') throw new Error(`expected an answer, got ${JSON.stringify(outcome)}`);
  return outcome;
}

const inWindow = (from: number, to: number): Order[] => orders.filter((o) => o.ts >= from && o.ts < to);

describe('replaying one version', () => {
  it('predicts once per spine event in [from, to), with the decisions its rules give', async () => {
    const { report, results } = await run();
    const expected = inWindow(FROM, TO);
    expect(report.events).toMatchObject({ total: 1_200, predicted: expected.length, warmUp: orders.filter((o) => o.ts < FROM).length, after: orders.filter((o) => o.ts >= TO).length });
    expect(results.map((r) => r.at)).toEqual(expected.map((o) => o.ts));
    const version = report.versions[0]!;
    expect(version.predictions).toBe(expected.length);
    expect(Object.values(version.decisions).reduce((a, b) => a + b, 0)).toBe(expected.length);
    for (const result of results) {
      const { score, decision, rule, features } = answered(result.predictions['champion']);
      const want = score > 0.5 ? 'block' : features['abroad'] === true && score > 0.1 ? 'review' : 'allow';
      expect(decision).toBe(want);
      expect(rule).toBe(want === 'block' ? 'block-high' : want === 'review' ? 'review-abroad' : null);
    }
    expect(version.latencyUs.p50).toBeGreaterThan(0);
    expect(version.latencyUs.p99).toBeGreaterThanOrEqual(version.latencyUs.p50);
    expect(version.metrics).toMatchObject({ task: 'binary', labelled: expected.length, positives: expected.filter((o) => o.is_fraud).length });
  });

  it('reads the features backfill computes for the same events (point in time), and scores them as batch scoring would', async () => {
    const { results } = await run();
    const names = ['orders_1h', 'amount_mean_7d', 'last_country', 'amount_ratio', 'abroad'];
    const batch = backfill(project, { views: ['customer_stats', 'order_request'], events: { orders: table }, spine: 'events' }).table;
    let checked = 0;
    for (const result of results) {
      const row = Number(result.id) - 1;
      const outcome = answered(result.predictions['champion']);
      const expected = Object.fromEntries(names.map((name) => [name, columnValue(batch.columns.get(name)!, row)]));
      for (const name of names) {
        const got = outcome.features[name];
        const want = expected[name];
        if (typeof want === 'number' && typeof got === 'number') expect(got).toBeCloseTo(want, 9);
        else expect(got).toEqual(want);
      }
      if (outcome.fallback === null) expect(outcome.score).toBeCloseTo(fraud.score(expected as Row), 9);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('counts events the engine rejects and predictions that fail, and goes on', async () => {
    const broken = tableFromRows([...orders, { ts: FROM + 1, customer: null, amount: 10, country: 'NL', is_fraud: false }].sort((a, b) => a.ts - b.ts), TYPES);
    const { report } = await run({ events: broken });
    expect(report.events.rejected).toEqual({ TANDEM_INVALID_KEY: 1 });
    expect(report.versions[0]!.failed).toEqual({ TANDEM_BAD_REQUEST: 1 });
    expect(report.versions[0]!.predictions).toBe(inWindow(FROM, TO).length);
  });
});

describe('warm-up and the event itself', () => {
  it('only warms up on events before from: no predictions for them, but their features count', async () => {
    const from = orders[150]!.ts;
    const { report, results } = await run({ from, to: Date.UTC(2026, 1, 1) });
    expect(report.events.warmUp).toBe(orders.filter((o) => o.ts < from).length);
    expect(report.events.predicted).toBe(orders.filter((o) => o.ts >= from).length);
    expect(results[0]!.at).toBe(from);
    // Only customers first seen in the window lack features: the warm-up taught the rest.
    const seenBefore = new Set(orders.filter((o) => o.ts < from).map((o) => o.customer));
    const newcomers = new Set(orders.filter((o) => o.ts >= from && !seenBefore.has(o.customer)).map((o) => o.customer));
    expect(newcomers.size).toBeGreaterThan(0);
    expect(report.versions[0]!.fallbacks.byReason['missing-features'] ?? 0).toBe(newcomers.size);
  });

  it('never lets an event see itself: each customer’s first order meets an unseen entity, and counts exclude the order', async () => {
    const { report, results } = await run({ from: orders[0]!.ts, to: Date.UTC(2026, 1, 1) });
    expect(report.events.warmUp).toBe(0);
    const customers = new Set(orders.map((o) => o.customer));
    // Had the event been applied before its prediction, no customer would be unseen.
    expect(report.versions[0]!.fallbacks.byReason).toEqual({ 'missing-features': customers.size });
    for (const [i, result] of results.entries()) {
      const order = orders[i]!;
      const earlier = orders.filter((o) => o.customer === order.customer && o.ts < order.ts && o.ts >= order.ts - 3_600_000).length;
      expect(answered(result.predictions['champion']).features['orders_1h']).toBe(earlier);
    }
  });
});

describe('champion against candidate', () => {
  it('finds identical versions agreeing on every event', async () => {
    const { report } = await run({ candidate: served(fraud, 2) });
    const comparison = report.comparison!;
    expect(comparison.labels).toEqual(['champion', 'candidate']);
    expect(comparison.compared).toBe(report.events.predicted);
    expect(comparison.agreement).toBe(1);
    expect(comparison.disagreements).toEqual([]);
    for (const winner of Object.values(comparison.winners)) expect(winner).toBe('tie');
    expect(report.versions[0]!.metrics).toEqual(report.versions[1]!.metrics);
  });

  it('shows where a no-skill candidate decides differently, and that the champion is better', async () => {
    const { report, results } = await run({ candidate: served(prior) });
    const comparison = report.comparison!;
    expect(comparison.agreement).toBeLessThan(1);
    const total = Object.values(comparison.confusion).flatMap((row) => Object.values(row)).reduce((a, b) => a + b, 0);
    expect(total).toBe(comparison.compared);
    expect(comparison.disagreements).toHaveLength(5);
    const gaps = comparison.disagreements.map((d) => Math.abs(d.scores[0] - d.scores[1]));
    expect(gaps).toEqual([...gaps].sort((a, b) => b - a));
    const largest = Math.max(...results.map((r) => Math.abs(answered(r.predictions['champion']).score - answered(r.predictions['candidate']).score)));
    expect(gaps[0]).toBe(largest);
    expect(comparison.winners).toMatchObject({ rocAuc: 'champion', prAuc: 'champion', stoppedRecall: 'champion' });
    expect(report.versions[1]!.decisions['block'] ?? 0).toBe(0);
  });
});
