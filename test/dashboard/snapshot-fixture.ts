import type { AlertRecord, ColumnDrift, DatasetDrift, DriftMethod, Histogram, ModelMonitoring, MonitoringSnapshot, TimeSeries } from '../../src/monitoring/types.js';

/** mulberry32: a tiny seeded generator, so fixtures (and screenshots) are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Normal-shaped counts over `bins` equal bins of [lo, hi], centred at `mean` (in bin units). */
function bell(total: number, bins: number, mean: number, spread: number): number[] {
  const weights = Array.from({ length: bins }, (_, i) => Math.exp(-((i + 0.5 - mean) ** 2) / (2 * spread ** 2)));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.round((w / sum) * total));
}

function edges(lo: number, hi: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => round(lo + ((hi - lo) * i) / bins, 2));
}

export interface ColumnSpec {
  readonly column: string;
  readonly method: DriftMethod;
  readonly drifted: boolean;
  readonly labels?: readonly string[];
  readonly range?: readonly [number, number];
}

function columnDrift(spec: ColumnSpec, referenceCount: number, currentCount: number): ColumnDrift {
  const bins = spec.labels?.length ?? 12;
  const reference = bell(referenceCount, bins, bins * 0.4, bins / 5);
  const current = bell(currentCount, bins, spec.drifted ? bins * 0.62 : bins * 0.42, spec.drifted ? bins / 4 : bins / 5);
  const histogram = (counts: number[]): Histogram =>
    spec.labels === undefined ? { edges: edges(spec.range?.[0] ?? 0, spec.range?.[1] ?? 100, bins), counts } : { labels: spec.labels, counts };
  const isTest = spec.method === 'ks' || spec.method === 'chi-square' || spec.method === 'z-test';
  const threshold = isTest ? 0.05 : spec.method === 'psi' ? 0.2 : 0.1;
  const statistic = isTest ? (spec.drifted ? 0.21 : 0.034) : spec.drifted ? threshold * 1.9 : threshold * 0.31;
  return {
    column: spec.column,
    kind: spec.labels === undefined ? 'number' : 'category',
    method: spec.method,
    statistic: round(statistic, 4),
    pValue: isTest ? (spec.drifted ? 0.0004 : 0.41) : null,
    threshold,
    drifted: spec.drifted,
    referenceCount,
    currentCount,
    reference: histogram(reference),
    current: histogram(current),
  };
}

/** Drift of the feature columns and, after them, of the prediction column (which the share leaves out). */
export function datasetDrift(at: number, columns: readonly ColumnSpec[], prediction?: ColumnSpec, shareThreshold = 0.5): DatasetDrift {
  const drifts = columns.map((c) => columnDrift(c, 20_000, 1_000));
  const driftShare = drifts.filter((c) => c.drifted).length / drifts.length;
  const all = prediction === undefined ? drifts : [...drifts, columnDrift(prediction, 20_000, 1_000)];
  return { at, windowSize: 1_000, columns: all, driftShare: round(driftShare, 4), drifted: driftShare >= shareThreshold, shareThreshold };
}

/** `points` samples ending at `now`, every `stepSeconds`, each from `value(i, rand)`. */
function series(times: readonly number[], value: (i: number) => number | null): (number | null)[] {
  return times.map((_, i) => value(i));
}

export const FRAUD_COLUMNS: readonly ColumnSpec[] = [
  { column: 'amount', method: 'ks', drifted: true, range: [0, 600] },
  { column: 'card_stats.count_1h', method: 'psi', drifted: true, range: [0, 24] },
  { column: 'card_stats.amount_mean_7d', method: 'wasserstein', drifted: true, range: [0, 400] },
  { column: 'country', method: 'chi-square', drifted: false, labels: ['US', 'GB', 'DE', 'FR', 'BR', 'IN', 'other'] },
  { column: 'merchant_category', method: 'jensen-shannon', drifted: false, labels: ['grocery', 'travel', 'fuel', 'online', 'dining'] },
  { column: 'hour', method: 'ks', drifted: false, range: [0, 24] },
];

/** The fraud model's score, compared like a feature. */
export const FRAUD_PREDICTION: ColumnSpec = { column: 'score', method: 'ks', drifted: true, range: [0, 1] };

export const ETA_COLUMNS: readonly ColumnSpec[] = [
  { column: 'distance_km', method: 'ks', drifted: false, range: [0, 30] },
  { column: 'courier_load', method: 'psi', drifted: false, range: [0, 10] },
  { column: 'weather', method: 'chi-square', drifted: false, labels: ['clear', 'rain', 'snow', 'fog'] },
  { column: 'restaurant_prep_p50', method: 'wasserstein', drifted: false, range: [0, 45] },
];

export interface SnapshotFixtureOptions {
  /** Epoch ms of the snapshot. @default 2026-03-02T12:00:00Z */
  readonly now?: number;
  /** Samples in every series. @default 60 */
  readonly points?: number;
  /** Seconds between samples. @default 10 */
  readonly stepSeconds?: number;
}

/**
 * A realistic snapshot: a fraud classifier whose inputs drifted (half its columns, with labelled
 * performance decaying and alerts that retrained and rolled back) and a delivery-time regressor
 * with no drift and no labels yet.
 */
export function buildSnapshot(options: SnapshotFixtureOptions = {}): MonitoringSnapshot {
  const now = options.now ?? Date.UTC(2026, 2, 2, 12, 0, 0);
  const points = options.points ?? 60;
  const step = options.stepSeconds ?? 10;
  const rand = random(7);
  const end = Math.floor(now / 1000);
  const time = Array.from({ length: points }, (_, i) => end - (points - 1 - i) * step);
  const wave = (i: number, period: number): number => Math.sin((2 * Math.PI * i) / period);

  const processSeries: TimeSeries = {
    time,
    requestsPerSecond: series(time, (i) => round(420 + 80 * wave(i, 30) + 30 * rand(), 1)),
    eventsPerSecond: series(time, (i) => round(1_350 + 200 * wave(i + 7, 40) + 90 * rand(), 1)),
    latencyP50Ms: series(time, () => round(1.6 + 0.4 * rand(), 2)),
    latencyP99Ms: series(time, (i) => round(6.5 + (i > points * 0.7 ? 5 : 0) + 2 * rand(), 2)),
    fallbackRate: series(time, (i) => round(i > points * 0.7 ? 0.018 + 0.01 * rand() : 0.002 + 0.002 * rand(), 4)),
    cpuPercent: series(time, (i) => round(38 + 10 * wave(i, 30) + 5 * rand(), 1)),
    rssMb: series(time, (i) => round(212 + i * 0.35 + 3 * rand(), 1)),
    eventLoopLagP99Ms: series(time, () => round(11 + 4 * rand(), 2)),
    freshnessSeconds: series(time, () => round(0.4 + 0.5 * rand(), 2)),
  };

  const driftTimes = time.filter((_, i) => i % 6 === 5);
  const fraud: ModelMonitoring = {
    model: 'fraud',
    task: 'binary-classification',
    versions: [
      { version: 1, createdAt: '2026-01-12T09:30:00.000Z', aliases: [], metrics: { rocAuc: 0.912, logLoss: 0.214, accuracy: 0.953 } },
      { version: 2, createdAt: '2026-02-03T14:05:00.000Z', aliases: ['previous'], metrics: { rocAuc: 0.927, logLoss: 0.198, accuracy: 0.958 } },
      { version: 3, createdAt: '2026-02-27T08:45:00.000Z', aliases: ['champion'], metrics: { rocAuc: 0.934, logLoss: 0.187, accuracy: 0.961 } },
      { version: 4, createdAt: '2026-03-02T11:20:00.000Z', aliases: ['canary', 'challenger'], metrics: { rocAuc: 0.941, logLoss: 0.179, accuracy: 0.963 } },
    ],
    serving: { champion: 3, canary: 4, shadow: 4 },
    drift: datasetDrift(now - 20_000, FRAUD_COLUMNS, FRAUD_PREDICTION),
    driftHistory: {
      time: driftTimes,
      driftShare: driftTimes.map((_, i) => round(Math.min(0.5, i * 0.06), 3)),
      predictionDrift: driftTimes.map((_, i) => round(0.02 + i * 0.018, 3)),
    },
    performance: {
      time,
      rocAuc: series(time, (i) => (i < 8 ? null : round(0.93 - (i > points * 0.6 ? 0.05 : 0) - 0.01 * rand(), 4))),
      logLoss: series(time, (i) => (i < 8 ? null : round(0.19 + (i > points * 0.6 ? 0.08 : 0) + 0.02 * rand(), 4))),
      accuracy: series(time, (i) => (i < 8 ? null : round(0.96 - (i > points * 0.6 ? 0.03 : 0) - 0.008 * rand(), 4))),
      labelled: series(time, (i) => (i < 8 ? null : 40 * i)),
    },
    detectors: [
      { name: 'adwin', state: 'drift', changes: 2 },
      { name: 'page-hinkley', state: 'warning', changes: 1 },
      { name: 'ddm', state: 'stable', changes: 0 },
    ],
  };

  const eta: ModelMonitoring = {
    model: 'delivery_eta',
    task: 'regression',
    versions: [
      { version: 1, createdAt: '2026-02-20T10:00:00.000Z', aliases: [], metrics: { mae: 3.9, rmse: 5.6 } },
      { version: 2, createdAt: '2026-03-01T16:40:00.000Z', aliases: ['champion'], metrics: { mae: 3.4, rmse: 5.1 } },
    ],
    serving: { champion: 2, canary: null, shadow: null },
    drift: datasetDrift(now - 45_000, ETA_COLUMNS, { column: 'eta_minutes', method: 'ks', drifted: false, range: [0, 60] }),
    driftHistory: { time: driftTimes, driftShare: driftTimes.map(() => 0), predictionDrift: driftTimes.map((_, i) => round(0.01 + 0.002 * i, 3)) },
    performance: { time: [], mae: [], rmse: [], labelled: [] },
    detectors: [{ name: 'page-hinkley', state: 'stable', changes: 0 }],
  };

  const alerts: AlertRecord[] = [
    {
      at: now - 30_000,
      model: 'fraud',
      alert: 'input-drift',
      kind: 'data-drift',
      message: '3 of 6 columns drifted (share 0.50 ≥ 0.50): amount, card_stats.count_1h, card_stats.amount_mean_7d',
      action: 'retrain',
      outcome: 'retrain job started',
    },
    { at: now - 140_000, model: 'fraud', alert: 'auc-drop', kind: 'performance', message: 'rocAuc 0.876 < 0.90 over the last 500 labelled predictions', action: 'rollback', outcome: 'champion 3 → 2 skipped: cooldown until 12:30' },
    { at: now - 260_000, model: 'fraud', alert: 'loss-detector', kind: 'concept-drift', message: 'adwin detected a change in the loss stream', action: 'webhook', outcome: 'webhook 200' },
    { at: now - 420_000, model: 'delivery_eta', alert: 'fallbacks', kind: 'fallback-rate', message: 'fallback rate 2.1% > 2% over 5 minutes', action: 'none', outcome: 'recorded' },
  ];

  return { generatedAt: now, uptimeSeconds: 3 * 86_400 + 4 * 3_600 + 17 * 60, series: processSeries, models: [fraud, eta], alerts };
}
