import type { DetectorReport } from './evaluate.js';
import type { MaintenanceReport } from './run.js';
import { FAULT_KINDS, type FaultKind } from './telemetry.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A readable summary: the run, the faults with what each detector made of them, and the scores. */
export function formatMaintenanceReport(report: MaintenanceReport): string {
  const [main] = report.detectors;
  if (main === undefined) return 'maintenance: no detector ran';
  const at = (ms: number): string => `day ${Math.floor((ms - report.start) / DAY) + 1} ${new Date(ms).toISOString().slice(11, 16)}`;
  const lines: string[] = [];
  lines.push(
    `Predictive maintenance (${report.scale} scale, seed ${report.seed}): ${report.machines} machines × ${report.days} days, one reading a minute, ${report.readings.toLocaleString('en-US')} readings in ${(report.elapsedMs / 1_000).toFixed(1)} s`,
    `Warm-up ${at(report.start)} – ${at(report.warmupEnd)}: models fitted on the first half, thresholds at the ${report.threshold.quantile * 100} % quantile of each score on the second; an alert fires after ${report.threshold.confirm} readings in a row above it.`,
    `Benign change at ${at(report.regimeChange.at)}: ${report.regimeChange.description}.`,
    '',
    'Planted faults (delay from fault start to first alert; – = missed):',
  );
  const names = report.detectors.map((d) => d.name);
  const header = ['#', 'machine', 'fault', 'start', 'hours', ...names];
  const rows = report.faults.map((fault, i) => [
    String(fault.id),
    fault.machine,
    fault.kind === 'stuck' ? `${FAULT_KINDS.stuck} (${fault.sensor})` : FAULT_KINDS[fault.kind],
    at(fault.start),
    ((fault.end - fault.start) / 3_600_000).toFixed(1),
    ...report.detectors.map((d) => {
      const outcome = d.faults[i];
      return outcome?.delayMs == null ? '–' : `${formatMinutes(outcome.delayMs)} (${outcome.delayReadings} r)`;
    }),
  ]);
  lines.push(...table(header, rows), '');

  lines.push('Detectors:');
  const summary = [
    ['', ...names],
    ['recall (faults detected)', ...report.detectors.map((d) => `${d.faults.filter((f) => f.detected).length}/${d.faults.length} = ${percent(d.recall)}`)],
    ['precision (alerts in a fault)', ...report.detectors.map((d) => (d.precision === null ? 'no alerts' : `${d.trueAlerts}/${d.alerts} = ${percent(d.precision)}`))],
    ['median detection delay', ...report.detectors.map((d) => (d.medianDelayMs === null ? '–' : `${formatMinutes(d.medianDelayMs)} (${d.medianDelayReadings} readings)`))],
    ['false alarms per machine-day', ...report.detectors.map((d) => d.falseAlarmsPerMachineDay.toFixed(3))],
    [`changeover: alerts in first ${formatMinutes(report.adaptationMs)}`, ...report.detectors.map((d) => String(d.regimeChange.duringAdaptation))],
    ['changeover: alerts after that, to +24 h', ...report.detectors.map((d) => String(d.regimeChange.afterAdaptation))],
    ...(Object.keys(FAULT_KINDS) as FaultKind[]).map((kind) => [`  ${FAULT_KINDS[kind]}`, ...report.detectors.map((d) => kindCell(d, kind))]),
  ];
  lines.push(...table(summary[0]!, summary.slice(1)), '');
  for (const d of report.detectors) lines.push(`${d.name}: ${d.description}; thresholds ${d.channels.map((c, i) => `${c} ${round(d.thresholds[i]!)}`).join(', ')}`);
  const best = [...report.detectors].sort((a, b) => b.recall - a.recall)[0]!;
  if (best.name !== main.name) lines.push(`Note: ${best.name} detects more faults (${percent(best.recall)}) than ${main.name} (${percent(main.recall)}) here.`);
  if (report.files.length > 0) lines.push(`Files: ${report.files.join(', ')}`);
  return lines.join('\n');
}

function kindCell(d: DetectorReport, kind: FaultKind): string {
  const k = d.byKind[kind];
  return `${k.detected}/${k.faults}${k.medianDelayMs === null ? '' : `, ${formatMinutes(k.medianDelayMs)}`}`;
}

function formatMinutes(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function round(value: number): string {
  return value >= 10 ? value.toFixed(1) : value.toFixed(4);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string => `  ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd();
  return [line(header), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map(line)];
}
