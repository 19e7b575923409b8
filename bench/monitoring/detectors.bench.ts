/**
 * Concept drift detectors on synthetic streams with planted change points: how often each
 * detects the change, how late, how often it raises a false alarm, and how fast it updates.
 *
 *   npx tsx --conditions development bench/monitoring/detectors.bench.ts [--seeds 100] [--json]
 *
 * A detection is the first drift at or after the change point (the start of the ramp for the
 * gradual drift); its delay is counted in values after the change point. Drifts before the
 * change point, and every drift on a control stream, are false alarms. Streams are generated
 * before timing, so updates/s (the median over seeds) measures `update()` alone.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createDetector, type DetectorSpec } from '../../src/monitoring/detectors/index.js';
import { SCENARIOS, type Scenario } from './streams.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const SEEDS = Number(args.seeds);

const DETECTORS: readonly { readonly label: string; readonly spec: DetectorSpec; readonly binaryOnly: boolean }[] = [
  { label: 'ADWIN', spec: { kind: 'adwin' }, binaryOnly: false },
  { label: 'Page-Hinkley', spec: { kind: 'page-hinkley' }, binaryOnly: false },
  { label: 'DDM', spec: { kind: 'ddm' }, binaryOnly: true },
];

interface Result {
  readonly scenario: string;
  readonly detector: string;
  readonly seeds: number;
  /** Share of seeds whose change was detected (null on control streams). */
  readonly detectionRate: number | null;
  readonly meanDelay: number | null;
  readonly medianDelay: number | null;
  readonly falseAlarmsPer10k: number;
  /** Median over seeds of one stream's values / time. */
  readonly updatesPerSecond: number;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function run(scenario: Scenario, spec: DetectorSpec, label: string): Result {
  const streams = Array.from({ length: SEEDS }, (_, seed) => scenario.generate(seed + 1));
  const change = scenario.change ?? scenario.length;
  const delays: number[] = [];
  let falseAlarms = 0;
  const rates: number[] = [];
  for (const stream of streams) {
    const detector = createDetector(spec);
    let detectedAt = -1;
    const start = process.hrtime.bigint();
    for (let i = 0; i < stream.length; i++) {
      if (detector.update(stream[i] as number) !== 'drift') continue;
      if (i < change) falseAlarms += 1;
      else if (detectedAt < 0) detectedAt = i;
    }
    rates.push(stream.length / (Number(process.hrtime.bigint() - start) / 1e9));
    if (detectedAt >= 0) delays.push(detectedAt - change);
  }
  return {
    scenario: scenario.name,
    detector: label,
    seeds: SEEDS,
    detectionRate: scenario.change === null ? null : delays.length / SEEDS,
    meanDelay: delays.length === 0 ? null : delays.reduce((s, d) => s + d, 0) / delays.length,
    medianDelay: median(delays),
    falseAlarmsPer10k: (falseAlarms / (SEEDS * change)) * 10_000,
    updatesPerSecond: median(rates) as number,
  };
}

// Warm up the JIT on every detector so the first scenario's timing is not the compiler's.
for (const { spec } of DETECTORS) {
  const warm = SCENARIOS[0] as Scenario;
  const detector = createDetector(spec);
  for (const x of warm.generate(999)) detector.update(x);
}

const results: Result[] = [];
for (const scenario of SCENARIOS) {
  for (const { label, spec, binaryOnly } of DETECTORS) {
    if (binaryOnly && scenario.input !== 'binary') continue;
    process.stderr.write(`[drift bench] ${label}: ${scenario.name}\n`);
    results.push(run(scenario, spec, label));
  }
}

const fmt = (v: number | null, digits = 0): string => (v === null ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
if (args.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`${SEEDS} seeds per stream; ${availableParallelism()} cores (${cpu}); load average ${(loadavg()[0] ?? 0).toFixed(1)}; Node ${process.version}`);
  console.log('');
  console.log('| stream | detector | detected | mean delay | median delay | false alarms / 10k | updates/s |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const rate = r.detectionRate === null ? '–' : `${Math.round(r.detectionRate * 100)} %`;
    console.log(
      `| ${r.scenario} | ${r.detector} | ${rate} | ${fmt(r.meanDelay)} | ${fmt(r.medianDelay)} | ${fmt(r.falseAlarmsPer10k, 2)} | ${(r.updatesPerSecond / 1e6).toFixed(1)} M |`,
    );
  }
}
