import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { askProfile } from '../../advise/interactive.js';
import { measureThroughput } from '../../advise/measure.js';
import { parseProfile, type ProfileInput } from '../../advise/profile.js';
import { recommend } from '../../advise/recommend.js';
import { renderReport } from '../../advise/report.js';
import { DEFAULT_PRICES, DEFAULT_SIZING, type Prices, type Sizing } from '../../advise/cost.js';
import { DEFAULT_THROUGHPUT, withMeasuredEngine, type ThroughputName } from '../../advise/throughput.js';
import { TandemError, quote } from '../../errors.js';

interface AdviseFlags {
  readonly profile?: string;
  readonly latency?: string;
  readonly eventsPerSecond?: string;
  readonly averageEventsPerSecond?: string;
  readonly predictionsPerSecond?: string;
  readonly freshness?: string;
  readonly rows?: string;
  readonly gb?: string;
  readonly retention?: string;
  readonly budget?: string;
  readonly audit?: string;
  readonly skills?: string;
  readonly labelDelay?: string;
  readonly drift?: string;
  readonly task?: string;
  readonly priceVcpuHour?: string;
  readonly priceGbMonth?: string;
  readonly priceRedisMonth?: string;
  readonly pricePostgresMonth?: string;
  readonly priceNatsMonth?: string;
  readonly vcpusPerMachine?: string;
  readonly utilization?: string;
  readonly interactive: boolean;
  readonly json: boolean;
  readonly measure: boolean;
}

const price = z.number().finite().nonnegative();
const fileSchema = z
  .looseObject({
    prices: z.strictObject({ vcpuHour: price, gbMonth: price, redisMonth: price, postgresMonth: price, natsMonth: price }).partial().optional(),
    sizing: z.strictObject({ vcpusPerMachine: z.number().int().positive(), utilization: z.number().gt(0).max(1) }).partial().optional(),
  });

function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/_/g, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new TandemError('TANDEM_USAGE', `--${flag} must be a non-negative number, got ${quote(value)}`);
  return n;
}

/** A duration flag stays text (parseProfile reads '50ms', '1m'); bare digits are milliseconds. */
const durationFlag = (value: string | undefined): string | number | undefined => (value !== undefined && /^\d+$/.test(value) ? Number(value) : value);

async function readProfileFile(path: string): Promise<{ profile: ProfileInput; prices: Partial<Prices>; sizing: Partial<Sizing> }> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new TandemError('TANDEM_USAGE', `profile file ${path} is not readable JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TandemError('TANDEM_USAGE', `profile file ${path}, field '${issue.path.join('.')}': ${issue.message}`);
  }
  const { prices, sizing, ...profile } = parsed.data;
  return { profile: profile as ProfileInput, prices: defined(prices ?? {}), sizing: defined(sizing ?? {}) };
}

/** The entries that are set, typed without `undefined` (exact optional properties). */
function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function fromFlags(flags: AdviseFlags, start: ProfileInput): ProfileInput {
  const input: Record<string, unknown> = { ...start };
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) input[key] = value;
  };
  set('latency', durationFlag(flags.latency));
  set('freshness', durationFlag(flags.freshness));
  set('labelDelay', durationFlag(flags.labelDelay));
  const peak = numberFlag('events-per-second', flags.eventsPerSecond);
  const average = numberFlag('average-events-per-second', flags.averageEventsPerSecond);
  if (peak !== undefined || average !== undefined) {
    const before = start.eventsPerSecond;
    const old = typeof before === 'number' ? { peak: before, average: before } : before;
    const p = peak ?? old?.peak ?? average!;
    input['eventsPerSecond'] = { peak: p, ...(average !== undefined ? { average } : old?.average !== undefined && peak === undefined ? { average: old.average } : {}) };
  }
  set('predictionsPerSecond', numberFlag('predictions-per-second', flags.predictionsPerSecond));
  const volume = defined({ rows: numberFlag('rows', flags.rows), gb: numberFlag('gb', flags.gb), retention: durationFlag(flags.retention) });
  if (Object.keys(volume).length > 0) input['dataVolume'] = { ...start.dataVolume, ...volume };
  if (flags.budget !== undefined) input['budgetPerMonth'] = flags.budget === 'none' ? null : numberFlag('budget', flags.budget);
  set('audit', flags.audit);
  if (flags.skills !== undefined) input['teamSkills'] = flags.skills.split(',').map((s) => s.trim()).filter((s) => s !== '');
  set('drift', flags.drift);
  set('task', flags.task);
  return input as ProfileInput;
}

export function registerAdvise(program: Command): void {
  program
    .command('advise')
    .description('recommend batch, micro-batch, real-time, Lambda, Kappa or online learning for stated needs, with the reasoning and a monthly cost estimate')
    .option('--profile <file>', 'a JSON profile (the fields below, plus optional "prices" and "sizing")')
    .option('--latency <duration>', 'p99 time a decision may take, e.g. 50ms, 1s, 24h (default 1s)')
    .option('--events-per-second <n>', 'peak events per second (default 100)')
    .option('--average-events-per-second <n>', 'average events per second (default: a fifth of the default peak, or the peak given)')
    .option('--predictions-per-second <n>', 'peak predictions per second (default: the peak events per second)')
    .option('--freshness <duration>', 'how stale a feature may be, e.g. 5s, 1m, 1d (default 1h)')
    .option('--rows <n>', 'history size in events (default: average rate × retention)')
    .option('--gb <n>', 'history size in GB (default: rows × 500 bytes)')
    .option('--retention <duration>', 'how long history is kept (default 90d)')
    .option('--budget <amount>', "monthly budget, or 'none' (default none)")
    .option('--audit <level>', 'none, explainability or regulated (default none)')
    .option('--skills <list>', 'team skills, comma-separated: sql, streaming, ml-ops, kubernetes, typescript, python (default typescript)')
    .option('--label-delay <duration>', 'how late ground truth arrives (default 1d)')
    .option('--drift <level>', 'low, moderate or high (default moderate)')
    .option('--task <task>', 'classification, regression, anomaly, forecast, segmentation or ranking (default classification)')
    .option('--price-vcpu-hour <n>', `price of a vCPU-hour (default ${DEFAULT_PRICES.vcpuHour})`)
    .option('--price-gb-month <n>', `price of a GB-month of storage (default ${DEFAULT_PRICES.gbMonth})`)
    .option('--price-redis-month <n>', `managed Redis a month (default ${DEFAULT_PRICES.redisMonth})`)
    .option('--price-postgres-month <n>', `managed PostgreSQL a month (default ${DEFAULT_PRICES.postgresMonth})`)
    .option('--price-nats-month <n>', `managed NATS a month (default ${DEFAULT_PRICES.natsMonth})`)
    .option('--vcpus-per-machine <n>', `vCPUs per machine (default ${DEFAULT_SIZING.vcpusPerMachine})`)
    .option('--utilization <share>', `share of measured throughput to plan for (default ${DEFAULT_SIZING.utilization})`)
    .option('--interactive', 'ask the questions (defaults in brackets; a pipe without answers takes the defaults)', false)
    .option('--measure', 'measure the engine on this machine for a few seconds instead of using the benchmark figures', false)
    .option('--json', 'print the structured result', false)
    .action(async (flags: AdviseFlags) => {
      const file = flags.profile === undefined ? { profile: {}, prices: {}, sizing: {} } : await readProfileFile(flags.profile);
      let input = fromFlags(flags, file.profile);
      if (flags.interactive) input = await askProfile(process.stdin, flags.json ? process.stderr : process.stdout, input);
      const profile = parseProfile(input);
      const prices: Prices = {
        ...DEFAULT_PRICES,
        ...file.prices,
        ...defined({
          vcpuHour: numberFlag('price-vcpu-hour', flags.priceVcpuHour),
          gbMonth: numberFlag('price-gb-month', flags.priceGbMonth),
          redisMonth: numberFlag('price-redis-month', flags.priceRedisMonth),
          postgresMonth: numberFlag('price-postgres-month', flags.pricePostgresMonth),
          natsMonth: numberFlag('price-nats-month', flags.priceNatsMonth),
        }),
      };
      const sizing: Sizing = { ...DEFAULT_SIZING, ...file.sizing, ...defined({ vcpusPerMachine: numberFlag('vcpus-per-machine', flags.vcpusPerMachine), utilization: numberFlag('utilization', flags.utilization) }) };
      if (!(Number.isInteger(sizing.vcpusPerMachine) && sizing.vcpusPerMachine > 0)) throw new TandemError('TANDEM_USAGE', `--vcpus-per-machine must be a positive whole number, got ${quote(sizing.vcpusPerMachine)}`);
      if (!(sizing.utilization > 0 && sizing.utilization <= 1)) throw new TandemError('TANDEM_USAGE', `--utilization must be above 0 and at most 1, got ${quote(sizing.utilization)}`);

      let throughput = DEFAULT_THROUGHPUT;
      let measured: ThroughputName[] = [];
      if (flags.measure) {
        process.stderr.write('measuring this machine (a few seconds):');
        const figures = measureThroughput({ onStep: (step) => process.stderr.write(` ${step}…`) });
        process.stderr.write(' done\n');
        throughput = withMeasuredEngine(DEFAULT_THROUGHPUT, figures);
        measured = Object.keys(figures) as ThroughputName[];
      }
      const result = recommend(profile, { throughput, prices, sizing });
      if (flags.json) process.stdout.write(`${JSON.stringify({ profile, measured, recommendation: result }, null, 2)}\n`);
      else process.stdout.write(renderReport(profile, result, { measured }));
    });
}
