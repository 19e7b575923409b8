import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/demo/random.js';
import { defineProject, model, requestFeatures } from '../../src/index.js';
import { customers } from '../fixtures/orders.config.js';
import { PiiProtector } from '../../src/ingest/index.js';
import { readTable } from '../../src/io/index.js';
import type { JobRun } from '../../src/jobs/job-store.js';
import { SqliteRegistry } from '../../src/registry/sqlite/sqlite-registry.js';
import { buildApp } from '../../src/server/app.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import type { GateDecision } from '../../src/training/retrain.js';
import { registerTrained, trainModel } from '../../src/training/train.js';
import type { MonitoringSnapshot } from '../../src/monitoring/types.js';
import { measureSkew } from '../../src/monitoring/skew.js';
import { retrainEvents } from '../../src/training/retrain-events.js';
import { ARTIFACTS, collectProblems, launchChromium } from '../dashboard/chromium.js';

/**
 * The closed loop, end to end: a champion trained on January's orders is served; February's
 * traffic has drifted (bigger baskets, more orders from Germany) and carries a fraud pattern
 * January never had (card testing: tiny amounts). Monitoring sees the drift, the alert starts
 * the retrain job, the gate judges challenger and champion on the latest orders, and the
 * challenger is promoted and served.
 */
const request = requestFeatures('order_request', {
  request: { amount: 'number', country: 'string' },
  views: [customers],
  features: { basket: (r) => r.amount, abroad: (r) => r.country !== 'NL' },
});
const project = defineProject({
  views: [customers],
  requestFeatures: [request],
  models: [
    model('fraud', {
      features: ['orders_1h', 'amount_mean_7d', 'last_country', 'order_request.basket', 'abroad'],
      label: 'is_fraud',
      algorithm: 'gbdt',
      params: { rounds: 40, maxDepth: 3, learningRate: 0.2, seed: 3 },
      split: { testShare: 0.25 },
      serving: { fallback: [{ score: 0.01 }] },
      monitoring: {
        window: { rows: 1000 },
        minRows: 200,
        evaluateEvery: '1h',
        alerts: [{ name: 'inputs-drifted', when: 'data-drift', action: 'retrain', cooldown: '1h' }],
      },
      retrain: { gate: { metric: 'rocAuc', margin: 0.01, holdoutShare: 0.25 } },
    }),
  ],
});

interface Order {
  readonly ts: number;
  readonly customer: string;
  readonly amount: number;
  readonly country: string;
  readonly is_fraud: boolean;
}

/** January: fraud is bursts of large orders from abroad. February: bigger baskets, Germany, and card testing. */
function generate(n: number, start: number, days: number, february: boolean, seed: number): Order[] {
  const random = new Random(seed);
  const out: Order[] = [];
  let t = start;
  while (out.length < n) {
    t += Math.round(random.exponential((days * 86_400_000) / n));
    const customer = `c${random.int(150)}`;
    const roll = random.next();
    if (roll < 0.03) {
      const burst = 2 + random.int(3);
      for (let b = 0; b < burst && out.length < n; b++) out.push({ ts: t + b * 60_000, customer, amount: 300 + random.int(400), country: 'BR', is_fraud: true });
      t += burst * 60_000;
    } else if (february && roll < 0.12) {
      out.push({ ts: t, customer, amount: 1 + random.int(3), country: 'NL', is_fraud: true });
    } else {
      const amount = february ? 120 + random.int(120) : 20 + random.int(60);
      const country = february ? (random.next() < 0.6 ? 'DE' : 'NL') : random.next() < 0.95 ? 'NL' : 'DE';
      out.push({ ts: t, customer, amount, country, is_fraud: random.next() < 0.005 });
    }
  }
  return out;
}

let dir: string;
let registry: SqliteRegistry;
let runtime: OnlineRuntime;
let app: ReturnType<typeof buildApp>;
const JANUARY = Date.UTC(2026, 0, 1);
const FEBRUARY = Date.UTC(2026, 1, 1);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-closed-loop-'));
  const january = generate(3000, JANUARY, 14, false, 11);
  const file = join(dir, 'january.csv');
  await writeFile(file, ['ts,customer,amount,country,is_fraud', ...january.map((o) => `${new Date(o.ts).toISOString()},${o.customer},${o.amount},${o.country},${o.is_fraud}`)].join('\n'));
  const events = { orders: await readTable(file, { types: { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' } }) };
  const trained = await trainModel(project, 'fraud', { events, inputs: [{ source: 'orders', path: file, sha256: '' }] });
  registry = SqliteRegistry.open({ dir: join(dir, 'registry') });
  await registerTrained(registry, trained, ['champion']);
  runtime = await OnlineRuntime.start(project, {
    dataDir: dir,
    pii: new PiiProtector(undefined),
    serving: { registry, reloadIntervalMs: false, monitorIntervalMs: 3_600_000 },
  });
  app = buildApp(runtime);
  // January's history warms the online state, as `tandem ingest` would before going live.
  expect((await runtime.ingest('orders', january)).accepted).toBe(january.length);
  await runtime.catchUp();
});

afterAll(async () => {
  await app?.close();
  await runtime?.stop();
  await registry?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Live traffic: each order is scored as it happens, then recorded in the log. */
async function replay(traffic: readonly Order[]): Promise<{ id: string; label: boolean; byModel: boolean }[]> {
  const predictions: { id: string; label: boolean; byModel: boolean }[] = [];
  for (const o of traffic) {
    // Scored when it happens (its features see every order before it), then recorded.
    const answer = await runtime.predictor!.predict('fraud', { customer: o.customer, amount: o.amount, country: o.country, at: o.ts });
    predictions.push({ id: answer.id, label: o.is_fraud, byModel: answer.fallback === undefined });
    expect((await runtime.ingest('orders', [o])).accepted).toBe(1);
    await runtime.catchUp();
  }
  return predictions;
}

let labelled = 0;

async function finished(runId: string): Promise<JobRun> {
  for (;;) {
    const run = (await runtime.scheduler!.history('retrain:fraud', { limit: 10 })).find((r) => r.runId === runId);
    if (run !== undefined && run.status !== 'running') return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the closed loop: drift → alert → retrain → gate → promotion', () => {
  it('keeps the champion quiet on traffic like its training data', async () => {
    await replay(generate(1500, JANUARY + 15 * 86_400_000, 7, false, 12));
    const drift = await runtime.monitor!.evaluate('fraud');
    expect(drift).not.toBeNull();
    expect(drift!.drifted).toBe(false);
    expect(runtime.monitor!.alerts).toEqual([]);
    // A 7-day mean over a warm state differs from training's partly filled windows: one column of five may drift alone.
    expect(drift!.columns.filter((c) => c.drifted).length).toBeLessThanOrEqual(1);
  });

  it('sees February drift, alerts, retrains, and promotes the challenger that wins on the latest orders', async () => {
    // The orders enter the log with their labels (known by retraining time); labels also
    // arrive late through the feedback endpoint, for the first 1000 predictions.
    const predictions = await replay(generate(2000, FEBRUARY, 9, true, 13));
    const feedback = await app.inject({ method: 'POST', url: '/v1/feedback/fraud', payload: predictions.slice(0, 1000).map((p) => ({ id: p.id, label: p.label })) });
    expect(feedback.statusCode).toBe(200);
    // Performance covers the model's own scores, not the fallback's.
    labelled = predictions.slice(0, 1000).filter((p) => p.byModel).length;
    expect(labelled).toBeGreaterThan(800);

    const drift = await runtime.monitor!.evaluate('fraud');
    expect(drift!.drifted).toBe(true);
    const drifted = drift!.columns.filter((c) => c.drifted).map((c) => c.column);
    expect(drifted).toEqual(expect.arrayContaining(['amount_mean_7d', 'basket']));

    const [alert] = runtime.monitor!.alerts;
    expect(alert).toMatchObject({ model: 'fraud', alert: 'inputs-drifted', kind: 'data-drift', action: 'retrain' });
    const runId = /retrain run (\S+) started/.exec(alert!.outcome)?.[1];
    expect(runId, alert!.outcome).toBeDefined();

    const run = await finished(runId!);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'alert', reason: 'inputs-drifted' });
    const decision = run.result as unknown as GateDecision;
    expect(decision).toMatchObject({ model: 'fraud', champion: 1, challenger: 2, metric: 'rocAuc', promoted: true, alias: 'champion' });
    expect(decision.challengerScore).toBeGreaterThan(decision.championScore! + 0.01);

    // Promoted, recorded, and served.
    expect((await registry.get('fraud', 'champion'))?.version).toBe(2);
    expect(runtime.predictor!.describe('fraud').version).toBe(2);
    const audit = (await registry.audit('fraud')).map((e) => e.action);
    expect(audit).toEqual(['register', 'alias', 'alert', 'action', 'register', 'alias', 'gate', 'promote']);
    expect(await registry.profile('fraud', 2)).toBeDefined();
  });

  it('finds no training/serving skew: served features equal those backfill recomputes', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/monitoring/fraud/skew?sample=300' });
    const report = response.json() as { checked: number; skewedShare: number; features: { feature: string; mismatched: number }[] };
    expect(report.checked).toBe(300);
    expect(report.features.map((f) => [f.feature, f.mismatched])).toEqual([
      ['orders_1h', 0],
      ['amount_mean_7d', 0],
      ['last_country', 0],
      ['basket', 0],
      ['abroad', 0],
    ]);
    expect(report.skewedShare).toBe(0);

    // A served value that backfill would not give is reported, with the example.
    const recent = runtime.predictionLog.recent('fraud', 20).map((p) => ({ id: p.prediction.id, at: p.at, request: p.request!, features: p.features }));
    const tampered = recent.map((s, i) => (i % 4 === 0 ? { ...s, features: { ...s.features, orders_1h: (s.features['orders_1h'] as number) + 1 } } : s));
    const { events } = await retrainEvents(project, project.models.get('fraud')!, { files: [], log: runtime.eventLog });
    const skew = await measureSkew(project, project.models.get('fraud')!, tampered, events);
    expect(skew.features.find((f) => f.feature === 'orders_1h')).toMatchObject({ checked: 20, mismatched: 5 });
    expect(skew.skewedShare).toBe(0.25);
  });

  it('shows the alert, the versions and the performance on the dashboard snapshot', async () => {
    await runtime.monitor!.tick();
    const snapshot = (await app.inject({ method: 'GET', url: '/dashboard/snapshot.json' })).json() as MonitoringSnapshot;
    const fraud = snapshot.models.find((m) => m.model === 'fraud')!;
    expect(fraud.serving.champion).toBe(2);
    expect(fraud.versions.map((v) => [v.version, v.aliases])).toEqual([
      [1, []],
      [2, ['champion']],
    ]);
    expect(fraud.performance['labelled']!.at(-1)).toBe(labelled);
    const [auc, ece] = [fraud.performance['rocAuc']!.at(-1)!, fraud.performance['calibrationError']!.at(-1)!];
    // January's champion on February's orders: its ranking is poor, and it is badly calibrated.
    expect(auc).toBeGreaterThan(0.4);
    expect(auc).toBeLessThan(0.75);
    expect(ece).toBeGreaterThan(0);
    expect(fraud.detectors.map((d) => d.name)).toEqual(['adwin']);
    expect(snapshot.alerts[0]).toMatchObject({ alert: 'inputs-drifted', action: 'retrain' });
    expect(snapshot.series['requestsPerSecond']!.length).toBeGreaterThan(0);
  });

  it('renders the live dashboard of this server in Chromium, with the drift, the alert and the versions', async () => {
    // The promoted champion's own window: more of February's traffic, judged against its profile.
    await replay(generate(300, FEBRUARY + 9 * 86_400_000, 1, true, 14));
    expect(await runtime.monitor!.evaluate('fraud')).not.toBeNull();
    await runtime.monitor!.tick();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const problems = collectProblems(page);
      await page.goto(`${address}/dashboard`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
      const section = '[data-testid="model"][data-model="fraud"]';
      const columns = await page.$$eval(`${section} [data-testid="drift-row"]`, (rows) => rows.map((r) => r.getAttribute('data-column')));
      expect(columns).toEqual(expect.arrayContaining(['orders_1h', 'amount_mean_7d', 'last_country', 'basket', 'abroad', 'prediction']));
      expect(await page.$$eval(`${section} [data-testid="version-row"].champion`, (rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(['2']);
      expect(await page.textContent('[data-testid="alerts"]')).toContain('inputs-drifted');
      const canvases = await page.$$eval(`${section} .uplot canvas`, (elements) => elements.length);
      expect(canvases).toBeGreaterThan(0);
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-live.png`, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('rolls the champion back by hand, and a second rollback has nowhere further to go', async () => {
    const rollback = await app.inject({ method: 'POST', url: '/v1/models/fraud/rollback' });
    expect(rollback.json()).toEqual({ model: 'fraud', from: 2, to: 1 });
    expect(runtime.predictor!.describe('fraud').version).toBe(1);
    const again = await app.inject({ method: 'POST', url: '/v1/models/fraud/rollback' });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.message).toContain('no earlier champion');
  });
});
