import { formatDuration } from '../features/duration.js';
import { ARCHITECTURES, type Architecture } from './architectures.js';
import type { Profile } from './profile.js';
import type { Throughput } from './throughput.js';

/**
 * The decision model, written so it can be printed: hard rules rule architectures out;
 * soft criteria give each remaining architecture a fit in [−1, 1], multiplied by the
 * criterion's weight. An architecture's score is the sum of its weighted fits.
 * docs/advise.md lists the same rules and weights.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface HardRule {
  readonly id: string;
  /** The criterion it belongs to, as named in the report. */
  readonly criterion: string;
  readonly rulesOut: readonly Architecture[];
  applies(p: Profile): boolean;
  reason(p: Profile): string;
}

export const HARD_RULES: readonly HardRule[] = [
  {
    id: 'freshness-below-1h',
    criterion: 'freshness',
    rulesOut: ['batch'],
    applies: (p) => p.freshnessMs < HOUR,
    reason: (p) => `freshness ${formatDuration(p.freshnessMs)} < 1h: batch jobs run hourly at best, so their features can be an hour old`,
  },
  {
    id: 'freshness-below-1m',
    criterion: 'freshness',
    rulesOut: ['micro-batch'],
    applies: (p) => p.freshnessMs < MINUTE,
    reason: (p) => `freshness ${formatDuration(p.freshnessMs)} < 1m: micro-batches run once a minute at best (cron)`,
  },
  {
    id: 'latency-needs-online-store',
    criterion: 'latency',
    rulesOut: ['batch', 'micro-batch'],
    applies: (p) => p.latencyMs < 100 && p.freshnessMs < MINUTE,
    reason: (p) =>
      `latency ${formatDuration(p.latencyMs)} < 100ms on features fresher than 1m: every decision reads an online store updated per event, on the request path`,
  },
  {
    id: 'no-online-model-for-task',
    criterion: 'task',
    rulesOut: ['online-learning'],
    applies: (p) => p.task === 'forecast' || p.task === 'segmentation',
    reason: (p) => `task '${p.task}': Tandem's online models do classification, regression and anomaly detection (forecasting and segmentation train in batch)`,
  },
  {
    id: 'labels-too-late-for-online',
    criterion: 'label delay',
    rulesOut: ['online-learning'],
    applies: (p) => p.task !== 'anomaly' && p.labelDelayMs >= 30 * DAY,
    reason: (p) => `labels arrive ${formatDuration(p.labelDelayMs)} late (≥ 30d): a model learning online would learn from month-old outcomes; retrain in batch instead`,
  },
];

export interface Assessment {
  /** What the profile says on this criterion, in words. */
  readonly note: string;
  readonly fits: Readonly<Record<Architecture, number>>;
}

export interface Criterion {
  readonly id: string;
  readonly name: string;
  /** How much a full fit (±1) counts. */
  readonly weight: number;
  /** Why the weight is what it is. */
  readonly why: string;
  assess(p: Profile, context: { readonly throughput: Throughput; readonly costs: Readonly<Record<Architecture, number>> }): Assessment;
}

const clamp = (v: number, low = -1, high = 1): number => Math.min(high, Math.max(low, v));
const round = (v: number): number => Math.round(v * 1000) / 1000;
const fits = (f: (a: Architecture) => number): Record<Architecture, number> =>
  Object.fromEntries(ARCHITECTURES.map((a) => [a, round(clamp(f(a)))])) as Record<Architecture, number>;
/** Where `value` lies between `low` and `high` on a log scale, in [0, 1]. */
const logPosition = (value: number, low: number, high: number): number => clamp((Math.log10(Math.max(value, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low)), 0, 1);

export const CRITERIA: readonly Criterion[] = [
  {
    id: 'freshness',
    name: 'freshness',
    weight: 3,
    why: 'stale features are the commonest reason a model underperforms live; it decides how often state must change',
    assess: (p) => {
      // s: 0 at one second, 1 at one day. Batch gains fastest as staleness is allowed, so a
      // fresher requirement never makes batch more preferred than any other architecture.
      const s = logPosition(p.freshnessMs, SECOND, DAY);
      const table: Record<Architecture, number> = {
        batch: 2 * s - 1,
        'micro-batch': 1 - 2 * Math.abs(s - 0.5),
        'real-time': 1 - s,
        lambda: 0.8 - s,
        kappa: 1 - 1.2 * s,
        'online-learning': 1 - 1.5 * s,
      };
      return { note: `features may be ${formatDuration(p.freshnessMs)} old`, fits: fits((a) => table[a]) };
    },
  },
  {
    id: 'latency',
    name: 'latency',
    weight: 2,
    why: 'a decision on the request path needs features and a model in memory; a decision that can wait an hour can be precomputed',
    assess: (p) => {
      const l = logPosition(p.latencyMs, 1, DAY);
      const streaming = 1 - 2 * l;
      const table: Record<Architecture, number> = {
        batch: 2 * l - 1,
        'micro-batch': 1 - 2 * Math.abs(l - 0.6),
        'real-time': streaming,
        lambda: streaming,
        kappa: streaming,
        'online-learning': streaming,
      };
      return { note: `a decision within ${formatDuration(p.latencyMs)} (p99)`, fits: fits((a) => table[a]) };
    },
  },
  {
    id: 'velocity',
    name: 'events per second',
    weight: 2,
    why: 'above ~1,000 events/s, keeping one path (the log) beats keeping two copies of the data; two paths double the compute',
    assess: (p) => {
      const v = logPosition(p.eventsPerSecond.peak, 1_000, 100_000);
      const table: Record<Architecture, number> = { batch: 0, 'micro-batch': 0, 'real-time': 0, lambda: -v, kappa: v, 'online-learning': 0.5 * v };
      return { note: `${Math.round(p.eventsPerSecond.peak).toLocaleString('en-US')} events/s at peak`, fits: fits((a) => table[a]) };
    },
  },
  {
    id: 'history',
    name: 'history replay',
    weight: 1,
    why: "Kappa recomputes by replaying the log through the stream path; Lambda by backfill, which is ~2.5× faster per core here",
    assess: (p, { throughput }) => {
      const hours = p.dataVolume.rows / throughput.streamApplyPerVcpu / 3600;
      // +1 when a full replay takes under an hour on one core, −1 at a day or more.
      const r = 1 - 2 * logPosition(hours * HOUR, HOUR, DAY);
      const table: Record<Architecture, number> = { batch: 0, 'micro-batch': 0, 'real-time': 0, lambda: -r, kappa: r, 'online-learning': 0 };
      return { note: `replaying ${Math.round(p.dataVolume.rows).toLocaleString('en-US')} events takes ${hours < 1 ? `${Math.round(hours * 60)} min` : `${hours.toFixed(1)} h`} on one core`, fits: fits((a) => table[a]) };
    },
  },
  {
    id: 'audit',
    name: 'audit',
    weight: 2,
    why: 'regulators ask to reproduce a past decision: which model, which features, from which data',
    assess: (p) => {
      const tables: Record<Profile['audit'], Record<Architecture, number>> = {
        none: { batch: 0, 'micro-batch': 0, 'real-time': 0, lambda: 0, kappa: 0, 'online-learning': 0 },
        explainability: { batch: 0.25, 'micro-batch': 0.25, 'real-time': 0.25, lambda: 0.25, kappa: 0, 'online-learning': -0.5 },
        regulated: { batch: 1, 'micro-batch': 0.5, 'real-time': 0.5, lambda: 0.75, kappa: 0.25, 'online-learning': -1 },
      };
      const notes = {
        none: 'no audit requirement',
        explainability: 'decisions must be explained (batch-trained models with importances)',
        regulated: 'regulated: reproducible versions, lineage, an audit trail of which version decided',
      };
      return { note: notes[p.audit], fits: tables[p.audit] };
    },
  },
  {
    id: 'drift',
    name: 'drift and label delay',
    weight: 2,
    why: 'a model that learns from each label adapts within minutes, but only when labels come soon; otherwise retrain on a schedule or on drift',
    assess: (p) => {
      const driftLevel = { low: -1, moderate: 0, high: 1 }[p.drift];
      let online: number;
      if (p.task === 'anomaly') online = { low: -0.5, moderate: 0.5, high: 1 }[p.drift];
      else {
        const labelsSoon = 1 - 2 * logPosition(p.labelDelayMs, HOUR, 7 * DAY); // +1 within an hour, −1 at a week
        online = p.drift === 'low' ? -1 : p.drift === 'moderate' ? Math.min(0, labelsSoon) * 0.5 : labelsSoon;
      }
      const table: Record<Architecture, number> = {
        batch: driftLevel > 0 ? -0.5 : 0.25,
        'micro-batch': 0,
        'real-time': driftLevel > 0 ? 0.25 : 0,
        lambda: driftLevel > 0 ? 0.25 : 0,
        kappa: driftLevel > 0 ? 0.25 : 0,
        'online-learning': online,
      };
      const labels = p.task === 'anomaly' ? 'no labels needed (anomaly detection)' : `labels after ${formatDuration(p.labelDelayMs)}`;
      return { note: `${p.drift} drift expected, ${labels}`, fits: fits((a) => table[a]) };
    },
  },
  {
    id: 'task',
    name: 'task',
    weight: 1,
    why: 'forecasts and segments are computed for a whole population on a schedule; anomaly detectors adapt best online',
    assess: (p) => {
      const tables: Partial<Record<Profile['task'], Partial<Record<Architecture, number>>>> = {
        forecast: { batch: 1, 'real-time': -0.5, lambda: -0.5, kappa: -0.5, 'online-learning': -0.5 },
        segmentation: { batch: 1, 'real-time': -0.5, lambda: -0.5, kappa: -0.5, 'online-learning': -0.5 },
        anomaly: { 'online-learning': 1, kappa: 0.5, 'real-time': 0.25 },
        ranking: { 'real-time': 0.5, lambda: 0.5 },
      };
      return { note: p.task, fits: fits((a) => tables[p.task]?.[a] ?? 0) };
    },
  },
  {
    id: 'skills',
    name: 'team skills',
    weight: 1,
    why: 'an architecture the team cannot operate at 3 a.m. is the wrong one; Tandem keeps streaming in TypeScript, which lowers the bar',
    assess: (p) => {
      const has = new Set(p.teamSkills);
      const streaming = has.has('streaming') ? 0 : 1;
      const mlops = has.has('ml-ops') ? 0 : 1;
      const k8s = has.has('kubernetes') ? 0.25 : 0;
      const table: Record<Architecture, number> = {
        batch: has.has('sql') ? 0.5 : 0,
        'micro-batch': has.has('sql') ? 0.25 : 0,
        'real-time': -0.25 * streaming + k8s,
        lambda: -1 * streaming - 0.5 * mlops,
        kappa: -0.75 * streaming + k8s,
        'online-learning': -0.75 * streaming - 0.5 * mlops + k8s,
      };
      return { note: p.teamSkills.length > 0 ? p.teamSkills.join(', ') : 'none given', fits: fits((a) => table[a]) };
    },
  },
  {
    id: 'complexity',
    name: 'operational simplicity',
    weight: 1,
    why: 'prefer the simplest architecture that meets the need: every always-on part is something to operate',
    assess: () => ({
      note: 'fewer moving parts first',
      fits: { batch: 1, 'micro-batch': 0.5, 'real-time': 0, lambda: -1, kappa: -0.25, 'online-learning': -0.5 },
    }),
  },
  {
    id: 'budget',
    name: 'budget',
    weight: 2,
    why: 'an estimate over budget counts against an architecture in proportion to the overrun (estimates are rough, so it is not a hard rule)',
    assess: (p, { costs }) => {
      const budget = p.budgetPerMonth;
      if (budget === null) return { note: 'no budget given: not counted', fits: fits(() => 0) };
      return {
        note: `${budget.toLocaleString('en-US')} a month`,
        fits: fits((a) => (budget === 0 ? (costs[a] > 0 ? -1 : 0) : -clamp(costs[a] / budget - 1, 0, 1))),
      };
    },
  },
];
