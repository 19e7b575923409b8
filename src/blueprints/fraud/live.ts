import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../config/load-project.js';
import { Random } from '../../demo/random.js';
import { FRAUD_PATTERNS, generateTransactions } from '../../demo/transactions.js';
import { PiiProtector } from '../../ingest/pii.js';
import { columnValue } from '../../io/column-value.js';
import { writeTable } from '../../io/index.js';
import type { Column, Table } from '../../io/table.js';
import { sha256 } from '../../models/artifact.js';
import { rocAuc } from '../../models/metrics/roc-auc.js';
import type { AlertRecord } from '../../monitoring/types.js';
import { SqliteRegistry } from '../../registry/sqlite/sqlite-registry.js';
import { buildApp } from '../../server/app.js';
import { OnlineRuntime } from '../../server/online-runtime.js';
import type { GateDecision } from '../../training/retrain.js';
import { registerTrained, trainModel } from '../../training/train.js';
import { readFileSync } from 'node:fs';

export const FRAUD_CONFIG = fileURLToPath(new URL('../../../examples/fraud/tandem.config.ts', import.meta.url));

export interface FraudLiveOptions {
  /** Where the history, the event log, the registry and the prediction log go. */
  readonly dir: string;
  /** Wall-clock seconds for the whole run, set-up included. @default 120 */
  readonly durationSeconds?: number;
  /** Live payments per second (the run goes as fast as it can below that). @default 200 */
  readonly rate?: number;
  /**
   * Bounded mode (tests): exactly this many live payments, unpaced, whatever the time, and
   * traffic waits for a retraining an alert started, so the phases do not depend on the
   * machine's speed. @default undefined (timed by `durationSeconds`)
   */
  readonly payments?: number;
  /** When the new pattern begins: this share of the live period (time, or payments in bounded mode). @default 0.3 */
  readonly ringAfter?: number;
  /** Payments in the 60-day history the first model trains on. @default 50_000 */
  readonly historyEvents?: number;
  /** HTTP port of the server (0: any free port). @default 0 */
  readonly port?: number;
  /** Seconds between a payment and its label (the chargeback) reaching POST /v1/feedback. @default 3 */
  readonly labelDelaySeconds?: number;
  readonly seed?: number;
  /** Stops the live traffic early (Ctrl-C); the summary covers what ran. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
}

/** Served predictions of one phase, scored against their labels. */
export interface PhaseQuality {
  readonly phase: 'before the new pattern' | 'new pattern, first model' | 'after the promotion';
  readonly predictions: number;
  readonly frauds: number;
  /** ROC AUC of the served scores; null with one class. */
  readonly rocAuc: number | null;
  /** Share of fraud the decisions stopped (block or review). */
  readonly recall: number | null;
  /** Of the merchant-ring frauds, the share stopped. */
  readonly ringRecall: number | null;
  /** Share of legitimate payments blocked or sent to review. */
  readonly falsePositiveRate: number | null;
}

export interface FraudLiveReport {
  readonly url: string;
  readonly history: { readonly events: number; readonly frauds: number };
  readonly firstModel: { readonly version: number; readonly rocAuc: number | null; readonly seconds: number };
  readonly live: { readonly payments: number; readonly seconds: number; readonly perSecond: number; readonly ringStartedAt: number | null; readonly labelsSent: number };
  readonly phases: readonly PhaseQuality[];
  /** Client-side HTTP latency of POST /v1/predict, in ms. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number };
  readonly decisions: Readonly<Record<string, number>>;
  readonly fallbacks: Readonly<Record<string, number>>;
  readonly alerts: readonly AlertRecord[];
  readonly gates: readonly GateDecision[];
  /** Payments between the first ring payment and the first alert; null when none fired. */
  readonly alertAfterPayments: number | null;
  /** Payments between the first ring payment and the promotion; null when none. */
  readonly promotionAfterPayments: number | null;
}

interface Payment {
  readonly ts: number;
  readonly tx_id: string;
  readonly card: string;
  readonly merchant: string;
  readonly amount: number;
  readonly country: string;
  readonly device: string;
  readonly is_fraud: boolean;
}

interface Served {
  readonly score: number;
  readonly stopped: boolean;
  readonly fraud: boolean;
  readonly ring: boolean;
  readonly version: number | null;
  readonly phase: PhaseQuality['phase'];
  /** The payment's time: alerts are stamped in traffic time (the runtime's alert clock). */
  readonly ts: number;
}

const DAY = 86_400_000;
const HISTORY_DAYS = 60;

function rowsOf(table: Table, from: number, to: number): Payment[] {
  const columns = [...table.columns.entries()];
  const out: Payment[] = [];
  for (let i = from; i < to; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, column] of columns) row[name] = columnValue(column as Column, i);
    out.push(row as unknown as Payment);
  }
  return out;
}

function slice(table: Table, to: number): Table {
  const columns = new Map<string, Column>();
  for (const [name, column] of table.columns) {
    columns.set(name, column.type === 'string' ? { ...column, codes: column.codes.subarray(0, to) } : column.type === 'json' ? { ...column, values: column.values.slice(0, to) } : { ...column, values: column.values.subarray(0, to) });
  }
  return { length: to, columns };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * The fraud blueprint, live: 60 days of card payments with planted fraud train the first GBDT;
 * the server starts (ingestion, streaming, predictions, monitoring, jobs, dashboard); live
 * payments are scored over HTTP as they happen and recorded, their labels arrive seconds
 * later as chargebacks; part way, a fraud pattern the history never had begins (a merchant
 * ring). Monitoring sees the served model fail on it, the alert retrains, the gate promotes the
 * better model, and the summary compares the phases.
 */
export async function runFraudLive(options: FraudLiveOptions): Promise<FraudLiveReport> {
  const started = performance.now();
  const say = options.onProgress ?? (() => undefined);
  const duration = (options.durationSeconds ?? 120) * 1000;
  const rate = options.rate ?? 200;
  const historyEvents = options.historyEvents ?? 50_000;
  const labelDelay = (options.labelDelaySeconds ?? 3) * 1000;
  const dir = options.dir;
  await rm(join(dir, 'state'), { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  // 1. Payments: the history and the live traffic come from one population of cards.
  const start = Date.UTC(2026, 0, 1);
  const historyEnd = start + HISTORY_DAYS * DAY;
  const bounded = options.payments;
  // Generously more live payments than the run can use: the split by time is not exact.
  const livePlanned = Math.ceil(1.5 * (bounded ?? rate * Math.max(20, duration / 1000)));
  const liveDays = (livePlanned / historyEvents) * HISTORY_DAYS;
  const all = generateTransactions({ events: historyEvents + livePlanned, days: HISTORY_DAYS + liveDays, start, seed: options.seed ?? 7, fraudShare: 0.01 });
  const times = (all.columns.get('ts') as { values: Float64Array }).values;
  let split = 0;
  while (split < all.length && (times[split] as number) < historyEnd) split++;
  const history = slice(all, split);
  const historyFile = join(dir, 'history.parquet');
  await writeTable(history, historyFile);
  const labels = (history.columns.get('is_fraud') as { values: Float64Array }).values;
  const historyFrauds = labels.reduce((n, y) => n + y, 0);
  say(`[1/4] ${history.length.toLocaleString('en-US')} payments over ${HISTORY_DAYS} days (${historyFrauds} fraudulent: ${FRAUD_PATTERNS.cardTesting}, ${FRAUD_PATTERNS.accountTakeover}, ${FRAUD_PATTERNS.compromisedMerchant}) → ${historyFile}`);

  // 2. The first model, on point-in-time features of the history.
  const project = await loadProject(FRAUD_CONFIG);
  const trainStarted = performance.now();
  const trained = await trainModel(project, 'fraud', {
    events: { transactions: history },
    inputs: [{ source: 'transactions', path: historyFile, sha256: sha256(readFileSync(historyFile)) }],
    configPath: FRAUD_CONFIG,
  });
  const registry = SqliteRegistry.open({ dir: join(dir, 'state', 'registry') });
  const v1 = await registerTrained(registry, trained, ['champion']);
  const firstAuc = typeof trained.metrics['rocAuc'] === 'number' ? trained.metrics['rocAuc'] : null;
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  say(`[2/4] fraud@${v1.version} (gbdt) trained on ${trained.lineage.rows.train.toLocaleString('en-US')} payments in ${trainSeconds.toFixed(1)} s: ROC AUC ${firstAuc?.toFixed(3) ?? '–'} on the latest ${trained.lineage.rows.test.toLocaleString('en-US')}`);

  let trafficTime = historyEnd;
  // 3. The server, warmed with the history so the live features start where training ended.
  const runtime = await OnlineRuntime.start(project, {
    dataDir: join(dir, 'state'),
    pii: new PiiProtector(randomBytes(32)),
    // One payment is appended at a time; 'os' durability acknowledges without an fsync each.
    durability: 'os',
    // Cooldowns run on the payments' own time: a day of traffic is a day, however fast it replays.
    // Bounded mode checks alerts itself every 50 payments and reloads on each promotion: no
    // timers, whose ticks would land at payments that depend on the machine's speed.
    serving: {
      registry,
      reloadIntervalMs: bounded === undefined ? 1000 : false,
      monitorIntervalMs: bounded === undefined ? 2000 : false,
      configPath: FRAUD_CONFIG,
      alertClock: () => trafficTime,
    },
  });
  const app = buildApp(runtime);
  const url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const historyRows = rowsOf(all, 0, split);
  for (let i = 0; i < historyRows.length; i += 5000) await runtime.ingest('transactions', historyRows.slice(i, i + 5000));
  await runtime.catchUp();
  say(`[3/4] serving on ${url}: dashboard ${url}/dashboard · metrics ${url}/metrics · the history is in the event log`);

  // 4. Live payments, scored as they happen; labels follow as chargebacks. Part way, merchant
  // rings start charging cards (FRAUD_PATTERNS.merchantRing), interleaved in time order.
  const live = rowsOf(all, split, all.length);
  const ring = new MerchantRing(historyRows, (HISTORY_DAYS * DAY) / Math.max(1, history.length), options.seed ?? 7);
  const ringAfter = options.ringAfter ?? 0.3;
  const served: Served[] = [];
  const latencies: number[] = [];
  const decisions: Record<string, number> = {};
  const fallbacks: Record<string, number> = {};
  const pendingLabels: { due: number; id: string; label: number }[] = [];
  let labelsSent = 0;
  let ringStartedAt: number | null = null;
  let promotedAt: number | null = null;
  let alertsSeen = 0;
  const liveStarted = performance.now();
  const deadline = started + duration;
  const ringWall = liveStarted + (deadline - liveStarted) * ringAfter;
  let lastReport = liveStarted;
  const sendLabels = async (everything: boolean): Promise<void> => {
    const now = performance.now();
    const cut = pendingLabels.findIndex((l) => l.due > now);
    const due = pendingLabels.splice(0, everything || cut === -1 ? pendingLabels.length : cut);
    if (due.length === 0) return;
    await fetch(`${url}/v1/feedback/fraud`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(due.map((l) => ({ id: l.id, label: l.label }))) });
    labelsSent += due.length;
  };
  let next = 0;
  let i = 0;
  const more = (): boolean => (bounded === undefined ? performance.now() < deadline : i < bounded) && options.signal?.aborted !== true;
  while (more()) {
    if (ring.active === false && (bounded === undefined ? performance.now() >= ringWall : i >= bounded * ringAfter)) {
      ring.start(live[next]?.ts ?? historyEnd);
      ringStartedAt = i;
      say(`      payment ${i.toLocaleString('en-US')}: a new pattern begins — ${FRAUD_PATTERNS.merchantRing}`);
    }
    const upcoming = live[next];
    if (upcoming === undefined) break;
    const payment = ring.next(upcoming.ts) ?? upcoming;
    if (payment === upcoming) next++;
    trafficTime = payment.ts;
    // Pace to the rate: payment i is due i / rate seconds after the live start.
    const wait = bounded === undefined ? liveStarted + (i / rate) * 1000 - performance.now() : 0;
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    const response = await fetch(`${url}/v1/predict/fraud`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: payment.tx_id, card: payment.card, merchant: payment.merchant, amount: payment.amount, country: payment.country, at: payment.ts }),
    });
    const answer = (await response.json()) as { score: number; decision: string; version: number | null; fallback?: { reason: string } };
    latencies.push(performance.now() - t0);
    decisions[answer.decision] = (decisions[answer.decision] ?? 0) + 1;
    if (answer.fallback !== undefined) fallbacks[answer.fallback.reason] = (fallbacks[answer.fallback.reason] ?? 0) + 1;
    if (promotedAt === null && runtime.predictor!.describe('fraud').version !== v1.version) promotedAt = i;
    const phase: PhaseQuality['phase'] = ringStartedAt === null ? 'before the new pattern' : promotedAt === null ? 'new pattern, first model' : 'after the promotion';
    served.push({ score: answer.score, stopped: answer.decision !== 'allow', fraud: payment.is_fraud, ring: ring.owns(payment), version: answer.version, phase, ts: payment.ts });
    // The payment happened: it enters the log without its label, which comes later.
    const { is_fraud: label, ...unlabelled } = payment;
    await runtime.ingest('transactions', [unlabelled]);
    await runtime.catchUp();
    pendingLabels.push({ due: performance.now() + (bounded === undefined ? labelDelay : 0), id: payment.tx_id, label: label ? 1 : 0 });
    i++;
    if (i % 50 === 0) {
      await sendLabels(false);
      if (bounded !== undefined) {
        // Bounded mode: check alerts now, and let a retraining they start finish before going on.
        await runtime.monitor!.tick();
        await runtime.scheduler?.idle();
      }
    }
    const alerts = runtime.monitor!.alerts;
    for (const alert of alerts.slice(0, alerts.length - alertsSeen).reverse()) say(`      alert ${alert.alert} (${alert.kind}): ${alert.message} → ${alert.action}: ${alert.outcome}`);
    alertsSeen = alerts.length;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      say(`      ${i.toLocaleString('en-US')} payments live · ${((i / (lastReport - liveStarted)) * 1000).toFixed(0)}/s · champion v${runtime.predictor!.describe('fraud').version} · ${labelsSent.toLocaleString('en-US')} labels`);
    }
  }
  const liveSeconds = (performance.now() - liveStarted) / 1000;
  await sendLabels(true);
  await runtime.monitor!.tick();
  // A retraining in progress finishes before the summary, so the report is whole.
  await runtime.scheduler?.idle();
  const gates = (await registry.audit('fraud')).filter((e) => e.action === 'gate').map((e) => e.detail as unknown as GateDecision);
  const alerts = [...runtime.monitor!.alerts].reverse();
  const ringBegan = ringStartedAt === null ? undefined : served[ringStartedAt]?.ts;
  // The first alert about the model's quality after the new pattern began.
  const firstAlert = ringBegan === undefined ? undefined : alerts.find((a) => a.at >= ringBegan && (a.kind === 'performance' || a.kind === 'concept-drift'));
  await app.close();
  await runtime.stop();
  await registry.close();

  const phases = (['before the new pattern', 'new pattern, first model', 'after the promotion'] as const).map((phase): PhaseQuality => {
    const rows = served.filter((s) => s.phase === phase);
    const frauds = rows.filter((s) => s.fraud);
    const legit = rows.filter((s) => !s.fraud);
    const ring = frauds.filter((s) => s.ring);
    const auc = frauds.length > 0 && legit.length > 0 ? rocAuc(rows.map((s) => s.score), rows.map((s) => (s.fraud ? 1 : 0))) : null;
    return {
      phase,
      predictions: rows.length,
      frauds: frauds.length,
      rocAuc: auc,
      recall: frauds.length === 0 ? null : frauds.filter((s) => s.stopped).length / frauds.length,
      ringRecall: ring.length === 0 ? null : ring.filter((s) => s.stopped).length / ring.length,
      falsePositiveRate: legit.length === 0 ? null : legit.filter((s) => s.stopped).length / legit.length,
    };
  });
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    url,
    history: { events: history.length, frauds: historyFrauds },
    firstModel: { version: v1.version, rocAuc: firstAuc, seconds: trainSeconds },
    live: { payments: i, seconds: liveSeconds, perSecond: i / liveSeconds, ringStartedAt, labelsSent },
    phases,
    latencyMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999), max: sorted.at(-1) ?? Number.NaN },
    decisions,
    fallbacks,
    alerts,
    gates,
    alertAfterPayments: firstAlert === undefined || ringStartedAt === null ? null : served.filter((s) => s.ts < firstAlert.at).length - ringStartedAt,
    promotionAfterPayments: promotedAt === null || ringStartedAt === null ? null : promotedAt - ringStartedAt,
  };
}


/**
 * FRAUD_PATTERNS.merchantRing, planted live: from `start` on, one of three merchants never seen
 * before charges 12–24 cards within an hour at ordinary amounts, from each card's own home
 * country and device; a new burst follows so that rings make about 4 % of payments.
 */
class MerchantRing {
  readonly #cards: { card: string; country: string; device: string }[];
  readonly #random: Random;
  /** Mean simulated time between two ordinary payments. */
  readonly #gapMs: number;
  #queue: Payment[] = [];
  #nextBurst = 0;
  #serial = 0;
  active = false;
  readonly #ids = new Set<string>();

  constructor(history: readonly Payment[], gapMs: number, seed: number) {
    this.#gapMs = gapMs;
    const cards = new Map<string, { card: string; country: string; device: string }>();
    for (const p of history) if (!p.is_fraud) cards.set(p.card, { card: p.card, country: p.country, device: p.device });
    this.#cards = [...cards.values()];
    this.#random = new Random(seed + 1);
  }

  start(at: number): void {
    this.active = true;
    this.#nextBurst = at;
  }

  owns(payment: Payment): boolean {
    return this.#ids.has(payment.tx_id);
  }

  /** The next ring payment due before `until` (the next ordinary payment's time), if any. */
  next(until: number): Payment | undefined {
    if (!this.active) return undefined;
    if (this.#queue.length === 0 && this.#nextBurst <= until) this.#burst();
    const head = this.#queue[0];
    if (head === undefined || head.ts > until) return undefined;
    return this.#queue.shift();
  }

  #burst(): void {
    const random = this.#random;
    const t0 = this.#nextBurst;
    const merchant = `m${String(400 + random.int(3)).padStart(5, '0')}`;
    const size = 12 + random.int(13);
    const burst: Payment[] = [];
    for (let b = 0; b < size; b++) {
      const card = this.#cards[random.int(this.#cards.length)]!;
      const tx_id = `ring${this.#serial++}`;
      this.#ids.add(tx_id);
      burst.push({ ts: t0 + random.int(3_600_000), tx_id, card: card.card, merchant, amount: Math.round(Math.exp(3.2 + 0.8 * random.normal()) * 100) / 100, country: card.country, device: card.device, is_fraud: true });
    }
    burst.sort((a, b) => a.ts - b.ts);
    this.#queue = burst;
    // About 4 % of payments: the next burst after ~size / 0.04 payments' worth of time.
    this.#nextBurst = t0 + 3_600_000 + random.exponential((size / 0.04) * this.#gapMs);
  }
}
