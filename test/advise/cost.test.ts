import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES, DEFAULT_SIZING, estimateCost, HOURS_PER_MONTH, machinesFor, machinesForLoads } from '../../src/advise/cost.js';
import { parseProfile } from '../../src/advise/profile.js';
import { DEFAULT_THROUGHPUT, withMeasuredEngine } from '../../src/advise/throughput.js';

describe('the monthly cost estimate', () => {
  it('sizes machines as ceil(peak / per-machine throughput) and shows the arithmetic', () => {
    const sized = machinesFor(100_000, 42_470, { vcpusPerMachine: 2, utilization: 0.7 });
    // 42,470 × 2 × 0.7 = 59,458 events/s per machine → 100,000 needs 2.
    expect(sized.machines).toBe(2);
    expect(sized.arithmetic).toBe('ceil(100,000 / 42,470/s / (2 vCPU × 0.7)) = 2');
    expect(machinesFor(59_458, 42_470, DEFAULT_SIZING).machines).toBe(1);
    expect(machinesFor(59_459, 42_470, DEFAULT_SIZING).machines).toBe(2);
    expect(machinesFor(0, 42_470, DEFAULT_SIZING).machines).toBe(0);
  });

  it('adds up vCPUs of ingest and predictions served by the same processes', () => {
    // 50,000 / 42,470 + 2,000 / 4,240 = 1.65 vCPU; a machine plans for 1.4 → 2 machines.
    const sized = machinesForLoads([{ load: 50_000, perVcpu: 42_470 }, { load: 2_000, perVcpu: 4_240 }], DEFAULT_SIZING);
    expect(sized.machines).toBe(2);
    expect(sized.arithmetic).toBe('ceil((50,000 / 42,470/s + 2,000 / 4,240/s) / (2 vCPU × 0.7)) = 2');
  });

  it('prices real-time as always-on machines for ingest and serving, retraining, storage and backends', () => {
    const profile = parseProfile({ eventsPerSecond: { peak: 100_000, average: 10_000 }, predictionsPerSecond: 5_000, dataVolume: { gb: 100, rows: 1e6 } });
    const cost = estimateCost('real-time', profile, DEFAULT_THROUGHPUT);
    const machineMonth = 2 * HOURS_PER_MONTH * DEFAULT_PRICES.vcpuHour; // 58.4
    const line = (prefix: string) => cost.lines.find((l) => l.item.startsWith(prefix))!;
    // 100,000 / 42,470 + 5,000 / 4,240 = 3.53 vCPU / 1.4 per machine → 3 machines.
    expect(line('tandem serve').monthly).toBeCloseTo(3 * machineMonth, 6);
    expect(line('storage').monthly).toBeCloseTo(100 * 0.08, 6);
    // 30 nightly runs × (1e6 / 3,127,357 + 1e6 / 77,160) s.
    expect(line('retraining').monthly).toBeCloseTo((30 * (1e6 / 3_127_357 + 1e6 / 77_160)) / 3600 * 0.04, 6);
    expect(cost.machines).toBe(3);
    expect(cost.scaleOut).toBe(true);
    expect(cost.lines.map((l) => l.item)).toEqual(expect.arrayContaining(['managed NATS JetStream (event log)', 'managed Redis (online state)', 'managed PostgreSQL (registry, jobs, audit)']));
    expect(cost.total).toBeCloseTo(cost.lines.reduce((s, l) => s + l.monthly, 0), 9);
  });

  it('keeps a small real-time setup embedded, with PostgreSQL only for a regulated audit trail', () => {
    const small = estimateCost('real-time', parseProfile({ eventsPerSecond: 100, predictionsPerSecond: 100 }), DEFAULT_THROUGHPUT);
    expect(small.scaleOut).toBe(false);
    expect(small.lines.some((l) => l.item.startsWith('managed'))).toBe(false);
    const regulated = estimateCost('real-time', parseProfile({ eventsPerSecond: 100, audit: 'regulated' }), DEFAULT_THROUGHPUT);
    expect(regulated.lines.filter((l) => l.item.startsWith('managed')).map((l) => l.item)).toEqual(['managed PostgreSQL (registry, lineage, audit trail with backups)']);
  });

  it('uses the prices given', () => {
    const profile = parseProfile({ eventsPerSecond: 100 });
    const base = estimateCost('real-time', profile, DEFAULT_THROUGHPUT);
    const dear = estimateCost('real-time', profile, DEFAULT_THROUGHPUT, { ...DEFAULT_PRICES, vcpuHour: 0.08 });
    const compute = (c: typeof base) => c.lines.filter((l) => !l.item.startsWith('storage')).reduce((s, l) => s + l.monthly, 0);
    expect(compute(dear)).toBeCloseTo(2 * compute(base), 6);
  });

  it('batch runs on one scheduler machine until its jobs outgrow it', () => {
    const profile = parseProfile({ freshness: '1d', eventsPerSecond: 50 });
    const cost = estimateCost('batch', profile, DEFAULT_THROUGHPUT);
    expect(cost.machines).toBe(1);
    expect(cost.lines[0]!.arithmetic).toMatch(/^max\(1, ceil\(/);
  });

  it('a measured engine rate keeps the benchmark HTTP overhead', () => {
    const same = withMeasuredEngine(DEFAULT_THROUGHPUT, { streamApplyPerVcpu: DEFAULT_THROUGHPUT.streamApplyPerVcpu, readScorePerVcpu: DEFAULT_THROUGHPUT.readScorePerVcpu });
    expect(same.ingestPerVcpu).toBeCloseTo(DEFAULT_THROUGHPUT.ingestPerVcpu, -1);
    expect(same.predictPerVcpu).toBeCloseTo(DEFAULT_THROUGHPUT.predictPerVcpu, -1);
    const faster = withMeasuredEngine(DEFAULT_THROUGHPUT, { streamApplyPerVcpu: 1e9 });
    expect(faster.ingestPerVcpu).toBeGreaterThan(DEFAULT_THROUGHPUT.ingestPerVcpu);
    expect(faster.ingestPerVcpu).toBeLessThan(2 * DEFAULT_THROUGHPUT.ingestPerVcpu);
  });
});
