import type { Alert } from './alerts.js';
import type { DetectorName } from './detectors.js';
import { FAULT_KINDS, type Fault, type FaultKind, type Telemetry } from './telemetry.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** An alert that fires up to this long after a fault ends is about the fault (the repair shows too). */
export const FAULT_GRACE_MS = HOUR;

export interface FaultOutcome {
  readonly id: number;
  readonly detected: boolean;
  /** From the fault's start to the first alert within it; null when none fired. */
  readonly delayMs: number | null;
  /** The machine's readings from the fault's start up to and including the alerting one. */
  readonly delayReadings: number | null;
}

export interface KindSummary {
  readonly faults: number;
  readonly detected: number;
  readonly medianDelayMs: number | null;
}

export interface RegimeChangeOutcome {
  /** False alerts (all machines) in [change, change + adaptation). */
  readonly duringAdaptation: number;
  /** False alerts (all machines) from the end of adaptation to the end of the fault-free span after the change. */
  readonly afterAdaptation: number;
}

export interface DetectorReport {
  readonly name: DetectorName;
  readonly description: string;
  /** What each score is about, and its alert threshold, chosen on the warm-up. */
  readonly channels: readonly string[];
  readonly thresholds: readonly number[];
  readonly alerts: number;
  readonly trueAlerts: number;
  readonly falseAlerts: number;
  /** trueAlerts / alerts; null when no alert fired. */
  readonly precision: number | null;
  /** Faults detected / faults planted. */
  readonly recall: number;
  readonly medianDelayMs: number | null;
  readonly medianDelayReadings: number | null;
  readonly falseAlarmsPerMachineDay: number;
  readonly byKind: Readonly<Record<FaultKind, KindSummary>>;
  readonly regimeChange: RegimeChangeOutcome;
  readonly faults: readonly FaultOutcome[];
}

export interface EvaluationInput {
  readonly name: DetectorName;
  readonly description: string;
  readonly channels: readonly string[];
  readonly thresholds: readonly number[];
  readonly alerts: readonly Alert[];
  readonly telemetry: Telemetry;
  /** Each fault's first reading index on its machine, by fault id. */
  readonly faultStartIndex: ReadonlyMap<number, number>;
  readonly adaptationMs: number;
  readonly quietAfterChangeMs: number;
}

/**
 * Scores alerts against the planted faults. A fault is detected when an alert fires on its
 * machine while it is active; an alert is true when it fires during a fault of its machine or
 * within `FAULT_GRACE_MS` after it, and false otherwise. Alerts are only raised after the warm-up.
 */
export function evaluateAlerts(input: EvaluationInput): DetectorReport {
  const { telemetry, alerts } = input;
  const byMachine = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const list = byMachine.get(alert.machine) ?? [];
    list.push(alert);
    byMachine.set(alert.machine, list);
  }
  const faults: FaultOutcome[] = telemetry.faults.map((fault) => {
    const first = (byMachine.get(fault.machine) ?? []).find((a) => a.firedAt >= fault.start && a.firedAt < fault.end);
    if (first === undefined) return { id: fault.id, detected: false, delayMs: null, delayReadings: null };
    const startIndex = input.faultStartIndex.get(fault.id) ?? first.readingIndex;
    return { id: fault.id, detected: true, delayMs: first.firedAt - fault.start, delayReadings: first.readingIndex - startIndex + 1 };
  });
  const isTrue = (alert: Alert): boolean =>
    telemetry.faults.some((f) => f.machine === alert.machine && alert.firedAt >= f.start && alert.firedAt < f.end + FAULT_GRACE_MS);
  const trueAlerts = alerts.filter(isTrue).length;
  const falseAlerts = alerts.length - trueAlerts;
  const change = telemetry.regimeChange.at;
  const falseIn = (from: number, to: number): number => alerts.filter((a) => a.firedAt >= from && a.firedAt < to && !isTrue(a)).length;
  const detected = faults.filter((f) => f.detected);
  const machineDays = (telemetry.machines.length * (telemetry.end - telemetry.warmupEnd)) / DAY;
  return {
    name: input.name,
    description: input.description,
    channels: input.channels,
    thresholds: input.thresholds,
    alerts: alerts.length,
    trueAlerts,
    falseAlerts,
    precision: alerts.length === 0 ? null : trueAlerts / alerts.length,
    recall: faults.length === 0 ? 0 : detected.length / faults.length,
    medianDelayMs: median(detected.map((f) => f.delayMs!)),
    medianDelayReadings: median(detected.map((f) => f.delayReadings!)),
    falseAlarmsPerMachineDay: falseAlerts / machineDays,
    byKind: summarizeKinds(telemetry.faults, faults),
    regimeChange: {
      duringAdaptation: falseIn(change, change + input.adaptationMs),
      afterAdaptation: falseIn(change + input.adaptationMs, change + input.quietAfterChangeMs),
    },
    faults,
  };
}

function summarizeKinds(truth: readonly Fault[], outcomes: readonly FaultOutcome[]): Record<FaultKind, KindSummary> {
  const summary = {} as Record<FaultKind, KindSummary>;
  for (const kind of Object.keys(FAULT_KINDS) as FaultKind[]) {
    const mine = outcomes.filter((_, i) => truth[i]!.kind === kind);
    const hits = mine.filter((f) => f.detected);
    summary[kind] = { faults: mine.length, detected: hits.length, medianDelayMs: median(hits.map((f) => f.delayMs!)) };
  }
  return summary;
}

/** The middle value (mean of the two middle ones for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The q-quantile of `values` (the smallest value with at least q of them at or below it). */
export function quantile(values: readonly number[] | Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
