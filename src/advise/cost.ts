import { formatDuration } from '../features/duration.js';
import type { Architecture } from './architectures.js';
import type { Profile } from './profile.js';
import type { Throughput } from './throughput.js';

/** Prices, in one currency (USD by default), overridable by flags or the profile file. */
export interface Prices {
  /** One vCPU for one hour, general-purpose on-demand. @default 0.04 */
  readonly vcpuHour: number;
  /** One GB of block storage for a month. @default 0.08 */
  readonly gbMonth: number;
  /** A small managed Redis (online state) for a month. @default 50 */
  readonly redisMonth: number;
  /** A small managed PostgreSQL (registry, jobs, audit) for a month. @default 60 */
  readonly postgresMonth: number;
  /** A small managed NATS JetStream (event log) for a month. @default 50 */
  readonly natsMonth: number;
}

export const DEFAULT_PRICES: Prices = { vcpuHour: 0.04, gbMonth: 0.08, redisMonth: 50, postgresMonth: 60, natsMonth: 50 };

/** How machines are sized. */
export interface Sizing {
  /** vCPUs per machine. @default 2 */
  readonly vcpusPerMachine: number;
  /** Share of a machine's measured throughput planned for, leaving headroom. @default 0.7 */
  readonly utilization: number;
}

export const DEFAULT_SIZING: Sizing = { vcpusPerMachine: 2, utilization: 0.7 };

export const HOURS_PER_MONTH = 730;
/** Training sets are sampled to at most this many rows. */
export const MAX_TRAINING_ROWS = 10_000_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface CostLine {
  readonly item: string;
  /** The arithmetic, written out. */
  readonly arithmetic: string;
  readonly monthly: number;
}

export interface CostEstimate {
  readonly architecture: Architecture;
  /** Always-on machines (stream, serving, scheduler). */
  readonly machines: number;
  /** More than one machine: shared backends (NATS, Redis, PostgreSQL) instead of embedded. */
  readonly scaleOut: boolean;
  readonly lines: readonly CostLine[];
  readonly total: number;
}

const n = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
export function formatMoney(v: number): string {
  return n.format(Math.round(v * 100) / 100);
}

/** ceil(load / (per-vCPU rate × vCPUs × utilization)), written out. */
export function machinesFor(load: number, perVcpu: number, sizing: Sizing): { machines: number; arithmetic: string } {
  return machinesForLoads([{ load, perVcpu }], sizing);
}

/**
 * Several loads served by the same processes (ingest and predictions in one `tandem serve`):
 * ceil(Σ load / per-vCPU rate, in vCPUs, / (vCPUs per machine × utilization)).
 */
export function machinesForLoads(loads: readonly { readonly load: number; readonly perVcpu: number }[], sizing: Sizing): { machines: number; arithmetic: string } {
  const active = loads.filter((l) => l.load > 0);
  const vcpus = active.reduce((s, l) => s + l.load / l.perVcpu, 0);
  const machines = Math.ceil(vcpus / (sizing.vcpusPerMachine * sizing.utilization));
  const terms = active.map((l) => `${n.format(l.load)} / ${n.format(l.perVcpu)}/s`);
  const demand = terms.length === 0 ? '0' : terms.length === 1 ? terms[0]! : `(${terms.join(' + ')})`;
  return { machines, arithmetic: `ceil(${demand} / (${sizing.vcpusPerMachine} vCPU × ${sizing.utilization})) = ${machines}` };
}

/** How often a batch or micro-batch pipeline runs to meet the freshness: between its limits. */
export function scheduleFor(architecture: 'batch' | 'micro-batch', freshnessMs: number): number {
  return architecture === 'batch' ? Math.min(Math.max(freshnessMs, HOUR), DAY) : Math.min(Math.max(freshnessMs, 60_000), HOUR);
}

interface Job {
  readonly item: string;
  readonly runsPerMonth: number;
  readonly parts: readonly { readonly rows: number; readonly perVcpu: number; readonly what: string }[];
}

function jobLine(job: Job, prices: Prices): CostLine & { vcpuHours: number } {
  const seconds = job.parts.reduce((s, p) => s + p.rows / p.perVcpu, 0);
  const vcpuHours = (job.runsPerMonth * seconds) / 3600;
  const parts = job.parts.map((p) => `${n.format(p.rows)} ${p.what} / ${n.format(p.perVcpu)}/s`).join(' + ');
  return {
    item: job.item,
    arithmetic: `${n.format(job.runsPerMonth)} runs × (${parts}) = ${n.format(vcpuHours)} vCPU-h × ${prices.vcpuHour}`,
    monthly: vcpuHours * prices.vcpuHour,
    vcpuHours,
  };
}

/**
 * The monthly cost of running `architecture` for `profile`: always-on machines sized from peak
 * load and per-vCPU throughput, batch work in vCPU-hours, storage of the history, and the
 * managed backends a scaled-out setup (or a regulated audit trail) needs.
 */
export function estimateCost(architecture: Architecture, profile: Profile, throughput: Throughput, prices: Prices = DEFAULT_PRICES, sizing: Sizing = DEFAULT_SIZING): CostEstimate {
  const lines: CostLine[] = [];
  const machineMonth = sizing.vcpusPerMachine * HOURS_PER_MONTH * prices.vcpuHour;
  const history = profile.dataVolume.rows;
  const trainingRows = Math.min(history, MAX_TRAINING_ROWS);
  const onRequest = profile.latencyMs < HOUR;
  let machines = 0;
  const alwaysOn = (item: string, loads: readonly { readonly load: number; readonly perVcpu: number }[]): void => {
    const sized = machinesForLoads(loads, sizing);
    machines += sized.machines;
    lines.push({ item, arithmetic: `${sized.arithmetic} ${sized.machines === 1 ? 'machine' : 'machines'} × ${n.format(machineMonth)}/month`, monthly: sized.machines * machineMonth });
  };
  const job = (j: Job): void => {
    lines.push(jobLine(j, prices));
  };
  const retrain = (runsPerMonth: number, label: string): void =>
    job({
      item: `retraining (${label})`,
      runsPerMonth,
      parts: [
        { rows: trainingRows, perVcpu: throughput.backfillRowsPerVcpu, what: 'rows backfilled' },
        { rows: trainingRows, perVcpu: throughput.trainRowsPerVcpu, what: 'rows trained' },
      ],
    });

  if (architecture === 'batch') {
    const every = scheduleFor('batch', profile.freshnessMs);
    const runs = (HOURS_PER_MONTH * HOUR) / every;
    const rowsPerRun = (profile.eventsPerSecond.average * every) / 1000;
    const work = jobLine(
      {
        item: `batch runs (every ${formatDuration(every)})`,
        runsPerMonth: runs,
        parts: [
          { rows: rowsPerRun, perVcpu: throughput.backfillRowsPerVcpu, what: 'rows backfilled' },
          { rows: rowsPerRun, perVcpu: throughput.scoreRowsPerVcpu, what: 'rows scored' },
        ],
      },
      prices,
    );
    // One machine runs the scheduler and the jobs; more only when the jobs outgrow it.
    machines = Math.max(1, Math.ceil(work.vcpuHours / (sizing.vcpusPerMachine * HOURS_PER_MONTH * sizing.utilization)));
    lines.push({
      item: 'scheduler machine (jobs run on it)',
      arithmetic: `max(1, ceil(${n.format(work.vcpuHours)} vCPU-h / (${sizing.vcpusPerMachine} vCPU × ${HOURS_PER_MONTH} h × ${sizing.utilization}))) = ${machines} ${machines === 1 ? 'machine' : 'machines'} × ${n.format(machineMonth)}/month`,
      monthly: machines * machineMonth,
    });
    lines.push({ item: `${work.item}, on that machine`, arithmetic: work.arithmetic.replace(/ × [\d.]+$/, ''), monthly: 0 });
    retrain(4.35, 'weekly');
  } else if (architecture === 'micro-batch') {
    // Micro-batches smooth the peaks: the pipeline keeps up with the average rate.
    alwaysOn(onRequest ? 'ingest + micro-batches (average events/s), serving (peak predictions/s)' : 'ingest + micro-batches (average events/s)', [
      { load: profile.eventsPerSecond.average, perVcpu: throughput.ingestPerVcpu },
      { load: onRequest ? profile.predictionsPerSecond : 0, perVcpu: throughput.predictPerVcpu },
    ]);
    retrain(4.35, 'weekly');
  } else {
    alwaysOn('tandem serve: ingest + stream (peak events/s), predictions (peak/s)', [
      { load: profile.eventsPerSecond.peak, perVcpu: throughput.ingestPerVcpu },
      { load: profile.predictionsPerSecond, perVcpu: throughput.predictPerVcpu },
    ]);
    if (architecture === 'online-learning') {
      job({
        item: 'online updates (one per event or label)',
        runsPerMonth: 1,
        parts: [{ rows: profile.eventsPerSecond.average * HOURS_PER_MONTH * 3600, perVcpu: throughput.learnPerVcpu, what: 'updates' }],
      });
    } else {
      retrain(30, 'nightly');
    }
    if (architecture === 'lambda') {
      job({ item: 'batch layer: daily backfill of the history', runsPerMonth: 30, parts: [{ rows: history, perVcpu: throughput.backfillRowsPerVcpu, what: 'rows' }] });
    }
    if (architecture === 'kappa') {
      job({ item: 'monthly replay of the log through the stream path', runsPerMonth: 1, parts: [{ rows: history, perVcpu: throughput.streamApplyPerVcpu, what: 'events' }] });
    }
  }

  // Lambda keeps the history twice: in the log and as the batch layer's files.
  const copies = architecture === 'lambda' ? 2 : 1;
  lines.push({
    item: 'storage of the history',
    arithmetic: `${n.format(profile.dataVolume.gb)} GB × ${copies} ${copies === 1 ? 'copy' : 'copies'} × ${prices.gbMonth}/GB-month`,
    monthly: profile.dataVolume.gb * copies * prices.gbMonth,
  });

  const scaleOut = machines > 1;
  if (scaleOut) {
    if (architecture !== 'batch') {
      lines.push({ item: 'managed NATS JetStream (event log)', arithmetic: `${prices.natsMonth}/month`, monthly: prices.natsMonth });
      lines.push({ item: 'managed Redis (online state)', arithmetic: `${prices.redisMonth}/month`, monthly: prices.redisMonth });
    }
    lines.push({ item: 'managed PostgreSQL (registry, jobs, audit)', arithmetic: `${prices.postgresMonth}/month`, monthly: prices.postgresMonth });
  } else if (profile.audit === 'regulated') {
    lines.push({ item: 'managed PostgreSQL (registry, lineage, audit trail with backups)', arithmetic: `${prices.postgresMonth}/month`, monthly: prices.postgresMonth });
  }
  const total = lines.reduce((s, l) => s + l.monthly, 0);
  return { architecture, machines, scaleOut, lines, total };
}

