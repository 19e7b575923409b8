import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StreamEngine, TandemError, type Row } from '../../index.js';
import { AlertRule, type Alert } from './alerts.js';
import { MODEL_FEATURES, detectorSpecs, type MachineDetector } from './detectors.js';
import { evaluateAlerts, quantile, type DetectorReport } from './evaluate.js';
import { maintenanceProject } from './project.js';
import { CHANGE_QUIET_AFTER_MS, generateTelemetry, type Fault, type Reading, type RegimeChange } from './telemetry.js';

const MINUTE = 60_000;

export type MaintenanceScale = 'test' | 'full';

export interface MaintenanceOptions {
  /** Where to write the telemetry, the ground truth, the alerts and the report; nothing is written without it. */
  readonly dir?: string;
  /** 'test': 20 machines for 4 days (seconds); 'full': 30 machines for 10 days. @default 'full' */
  readonly scale?: MaintenanceScale;
  /** Seed of the telemetry and the trees. @default 11 */
  readonly seed?: number;
  /** Called with a line of progress now and then. */
  readonly onProgress?: (line: string) => void;
}

/** How scores become alerts, the same for every detector. */
export interface ThresholdRule {
  /** The threshold is this quantile of the detector's scores over the calibration span. */
  readonly quantile: number;
  /** Calibration span: from the end of fitting to the end of the warm-up. */
  readonly calibrateFrom: number;
  readonly calibrateTo: number;
  /** Consecutive readings above the threshold that fire an alert. */
  readonly confirm: number;
  readonly cooldownMs: number;
}

export interface MaintenanceReport {
  readonly scale: MaintenanceScale;
  readonly seed: number;
  readonly machines: number;
  readonly days: number;
  readonly intervalMs: number;
  readonly readings: number;
  readonly start: number;
  readonly end: number;
  /** Baselines learn until here; every model is fitted on [start, fitEnd). */
  readonly fitEnd: number;
  /** Alerts are raised from here on. */
  readonly warmupEnd: number;
  readonly features: readonly string[];
  readonly threshold: ThresholdRule;
  /** How long after the changeover its alerts are forgiven: two windows of the adaptive trees. */
  readonly adaptationMs: number;
  /** The ground truth. */
  readonly faults: readonly Fault[];
  readonly regimeChange: RegimeChange;
  /** The adaptive detector first, then the baselines. */
  readonly detectors: readonly DetectorReport[];
  /** Every alert of every detector, in time order. */
  readonly alerts: readonly (Alert & { readonly detector: string })[];
  /** Files written to `dir`. */
  readonly files: readonly string[];
  readonly elapsedMs: number;
}

const SCALES = {
  test: { machines: 20, days: 4, faults: 12 },
  full: { machines: 30, days: 10, faults: 36 },
} as const;

/**
 * Tan et al.'s 25 trees and size limit; a window holds the whole plant's last 6 hours, long
 * enough to hold most normal load changes, short enough to take in a new product in a shift.
 */
const HST = { nTrees: 25, height: 8, windowMinutes: 360, sizeLimit: 0.1 } as const;
const THRESHOLD_QUANTILE = 0.999;
const CONFIRM = 3;
const COOLDOWN_MS = 30 * MINUTE;

/**
 * The predictive-maintenance blueprint: machine telemetry with planted faults streams through
 * the StreamEngine in time order; each reading's windowed and request-time features are read as
 * of the reading (before it is applied), scored by Half-Space Trees that learn online, and
 * turned into alerts, which are checked against the ground truth beside two static baselines.
 */
export async function runMaintenanceBlueprint(options: MaintenanceOptions = {}): Promise<MaintenanceReport> {
  const scale = options.scale ?? 'full';
  if (!Object.hasOwn(SCALES, scale)) throw new TandemError('TANDEM_USAGE', `unknown blueprint scale '${String(scale)}'; use 'test' or 'full'`);
  const seed = options.seed ?? 11;
  if (!Number.isSafeInteger(seed)) throw new TandemError('TANDEM_USAGE', `the blueprint's seed must be a whole number, got ${String(seed)}`);
  const progress = options.onProgress ?? (() => {});
  const began = performance.now();
  const size = SCALES[scale];
  const telemetry = generateTelemetry({ machines: size.machines, days: size.days, faults: size.faults, seed });
  const { machines, intervalMs, warmupEnd } = telemetry;
  const fitEnd = telemetry.start + (warmupEnd - telemetry.start) / 2;
  const fitReadings = machines.length * Math.round((fitEnd - telemetry.start) / intervalMs);
  progress(`maintenance: ${machines.length} machines, ${size.days} days, ${telemetry.count.toLocaleString('en-US')} readings, ${telemetry.faults.length} planted faults`);

  const windowSize = machines.length * Math.round((HST.windowMinutes * MINUTE) / intervalMs);
  const specs = detectorSpecs({ nTrees: HST.nTrees, height: HST.height, sizeLimit: HST.sizeLimit, windowSize, seed }, fitReadings);
  const detectors: MachineDetector[][] = specs.map((spec) => machines.map((_, m) => spec.create(m)));
  const rules = specs.map((spec) => machines.map((name) => spec.channels.map((channel) => new AlertRule(name, channel, { confirm: CONFIRM, cooldownMs: COOLDOWN_MS }))));
  const calibration: number[][][] = specs.map((spec) => spec.channels.map(() => []));
  const thresholds = specs.map((spec) => new Float64Array(spec.channels.length).fill(Number.NaN));
  const scores = specs.map((spec) => new Float64Array(spec.channels.length));
  const alerts: Alert[][] = specs.map(() => []);
  const machineIndex = new Map(machines.map((name, m) => [name, m]));
  const readingCount = new Int32Array(machines.length);
  const pendingFaults = machines.map((name) => telemetry.faults.filter((f) => f.machine === name));
  const faultStartIndex = new Map<number, number>();
  const engine = new StreamEngine(maintenanceProject);
  const out = options.dir === undefined ? undefined : new TelemetryWriter(options.dir);

  let done = 0;
  let nextReport = telemetry.count / 10;
  for (const reading of telemetry.readings()) {
    const m = machineIndex.get(reading.machine)!;
    const index = readingCount[m]!++;
    const pending = pendingFaults[m]!;
    if (pending.length > 0 && reading.ts >= pending[0]!.start) faultStartIndex.set(pending.shift()!.id, index);
    const row = features(engine, reading);
    engine.apply('telemetry', reading);
    out?.write(reading);
    for (let d = 0; d < specs.length; d++) {
      const detector = detectors[d]![m]!;
      const score = scores[d]!;
      detector.score(row, reading, score);
      if (specs[d]!.online || reading.ts < fitEnd) detector.learn(row, reading);
      if (reading.ts < fitEnd) continue;
      for (let c = 0; c < score.length; c++) {
        if (reading.ts < warmupEnd) {
          calibration[d]![c]!.push(score[c]!);
          continue;
        }
        const threshold = thresholds[d]!;
        if (Number.isNaN(threshold[c]!)) threshold[c] = quantile(calibration[d]![c]!, THRESHOLD_QUANTILE);
        const alert = rules[d]![m]![c]!.observe(reading.ts, index, score[c]!, threshold[c]!);
        if (alert !== undefined) alerts[d]!.push(alert);
      }
    }
    if (++done >= nextReport) {
      nextReport += telemetry.count / 10;
      progress(`  streamed ${Math.round((100 * done) / telemetry.count)} % (${done.toLocaleString('en-US')} readings, ${((performance.now() - began) / 1_000).toFixed(1)} s)`);
    }
  }
  out?.close();

  const adaptationMs = 2 * HST.windowMinutes * MINUTE;
  const reports = specs.map((spec, d) =>
    evaluateAlerts({
      name: spec.name,
      description: spec.description,
      channels: spec.channels,
      thresholds: [...thresholds[d]!],
      alerts: alerts[d]!,
      telemetry,
      faultStartIndex,
      adaptationMs,
      quietAfterChangeMs: CHANGE_QUIET_AFTER_MS,
    }),
  );
  const allAlerts = specs
    .flatMap((spec, d) => alerts[d]!.map((a) => ({ ...a, detector: spec.name })))
    .sort((a, b) => a.firedAt - b.firedAt || a.machine.localeCompare(b.machine) || a.detector.localeCompare(b.detector));
  const report: MaintenanceReport = {
    scale,
    seed,
    machines: machines.length,
    days: size.days,
    intervalMs,
    readings: done,
    start: telemetry.start,
    end: telemetry.end,
    fitEnd,
    warmupEnd,
    features: [...MODEL_FEATURES],
    threshold: { quantile: THRESHOLD_QUANTILE, calibrateFrom: fitEnd, calibrateTo: warmupEnd, confirm: CONFIRM, cooldownMs: COOLDOWN_MS },
    adaptationMs,
    faults: telemetry.faults,
    regimeChange: telemetry.regimeChange,
    detectors: reports,
    alerts: allAlerts,
    files: out === undefined ? [] : ['telemetry.csv', 'faults.json', 'alerts.csv', 'report.json'],
    elapsedMs: Math.round(performance.now() - began),
  };
  if (options.dir !== undefined) writeResults(options.dir, report);
  progress(`  done in ${(report.elapsedMs / 1_000).toFixed(1)} s`);
  return report;
}

/** The model's input for a reading: its machine's windows and the request-time deltas, as of the reading. */
function features(engine: StreamEngine, reading: Reading): Row {
  const at = { at: reading.ts };
  const stats = engine.read('machine_stats', reading, at);
  const deltas = engine.requestFeatures('reading_deltas', reading, at);
  const row: Record<string, number | null> = {};
  for (const name of MODEL_FEATURES) {
    const value = name in deltas ? deltas[name] : stats[name];
    row[name] = typeof value === 'number' ? value : null;
  }
  return row;
}

/** Streams readings to `telemetry.csv`, a chunk at a time. */
class TelemetryWriter {
  readonly #fd: number;
  #chunk: string[] = [];

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.#fd = openSync(join(dir, 'telemetry.csv'), 'w');
    writeSync(this.#fd, 'ts,machine,temperature,vibration,pressure,rpm,power\n');
  }

  write(r: Reading): void {
    this.#chunk.push(`${new Date(r.ts).toISOString()},${r.machine},${r.temperature},${r.vibration},${r.pressure},${r.rpm},${r.power}\n`);
    if (this.#chunk.length >= 10_000) this.#flush();
  }

  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }

  #flush(): void {
    writeSync(this.#fd, this.#chunk.join(''));
    this.#chunk = [];
  }
}

function writeResults(dir: string, report: MaintenanceReport): void {
  const iso = (ms: number): string => new Date(ms).toISOString();
  writeFileSync(join(dir, 'faults.json'), `${JSON.stringify({ faults: report.faults.map((f) => ({ ...f, start: iso(f.start), end: iso(f.end) })), regimeChange: { ...report.regimeChange, at: iso(report.regimeChange.at) } }, null, 2)}\n`);
  const lines = ['detector,machine,channel,fired_at,last_high_at,peak_score'];
  for (const a of report.alerts) lines.push(`${a.detector},${a.machine},${a.channel},${iso(a.firedAt)},${iso(a.lastHighAt)},${a.peakScore}`);
  writeFileSync(join(dir, 'alerts.csv'), `${lines.join('\n')}\n`);
  const { alerts: _alerts, ...summary } = report;
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
}
