import type { Comparison, Counts, ReplayReport, VersionReport } from './types.js';

const counts = new Intl.NumberFormat('en-US');
const METRIC_NAMES: Readonly<Record<string, string>> = {
  rocAuc: 'ROC AUC',
  prAuc: 'PR AUC',
  logLoss: 'log loss',
  stoppedPrecision: 'stopped precision',
  stoppedRecall: 'stopped recall',
  mae: 'MAE',
  rmse: 'RMSE',
};

function time(t: number): string {
  return new Date(t).toISOString();
}

function number(value: number | undefined, digits = 4): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function share(value: number): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(1)} %` : '–';
}

function listCounts(values: Counts): string {
  const entries = Object.entries(values);
  return entries.length === 0 ? 'none' : entries.map(([key, n]) => `${key} ${counts.format(n)}`).join(', ');
}

/** Left-aligned columns, two spaces apart. */
function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

/** Keys of a count over every version, in first-seen order. */
function keysOf(versions: readonly VersionReport[], pick: (v: VersionReport) => Counts): string[] {
  return [...new Set(versions.flatMap((v) => Object.keys(pick(v))))];
}

function versionRows(report: ReplayReport): string[][] {
  const versions = report.versions;
  const row = (name: string, cell: (v: VersionReport) => string): string[] => [name, ...versions.map(cell)];
  const counted = (prefix: string, pick: (v: VersionReport) => Counts): string[][] =>
    keysOf(versions, pick).map((key) => row(`${prefix} ${key}`, (v) => counts.format(pick(v)[key] ?? 0)));
  const rows = [
    row('', (v) => v.label),
    row('version', (v) => v.name),
    row('predictions', (v) => counts.format(v.predictions)),
    ...counted('failed', (v) => v.failed),
    ...counted('decision', (v) => v.decisions),
    ...counted('rule', (v) => v.rules),
    row('fallbacks', (v) => counts.format(Object.values(v.fallbacks.byReason).reduce((a, b) => a + b, 0))),
    ...counted('  fallback', (v) => v.fallbacks.byReason),
    row('latency p50', (v) => `${number(v.latencyUs.p50, 1)} µs`),
    row('latency p99', (v) => `${number(v.latencyUs.p99, 1)} µs`),
  ];
  const winners = report.comparison?.winners ?? {};
  const metrics = versions.map((v) => (v.metrics ?? {}) as Record<string, unknown>);
  if (metrics.some((m) => m['labelled'] !== undefined)) {
    rows.push(row('labelled', (v) => (v.metrics === null ? '–' : `${counts.format(v.metrics.labelled)}${v.metrics.task === 'binary' ? ` (${counts.format(v.metrics.positives)} positive)` : ''}`)));
    for (const [key, title] of Object.entries(METRIC_NAMES)) {
      if (!metrics.some((m) => typeof m[key] === 'number')) continue;
      rows.push(row(title, (v) => `${number((v.metrics as Record<string, number> | null)?.[key])}${winners[key] === v.label ? ' ◀ better' : ''}`));
    }
  }
  return rows;
}

function comparisonLines(comparison: Comparison): string[] {
  const [a, b] = comparison.labels;
  const lines = ['', `${a} vs ${b}: same decision on ${share(comparison.agreement)} of ${counts.format(comparison.compared)} events`];
  const columns = [...new Set(Object.values(comparison.confusion).flatMap((row) => Object.keys(row)))];
  const confusion = [[`${a} ↓  ${b} →`, ...columns], ...Object.entries(comparison.confusion).map(([decision, row]) => [decision, ...columns.map((c) => counts.format(row[c] ?? 0))])];
  lines.push(...table(confusion));
  if (comparison.disagreements.length > 0) {
    lines.push('', 'largest score differences:');
    lines.push(
      ...table([
        ['id', 'time', 'label', `${a} score`, `${b} score`, 'decisions'],
        ...comparison.disagreements.map((d) => [d.id, time(d.at), d.label === null ? '–' : String(d.label), number(d.scores[0]), number(d.scores[1]), `${d.decisions[0]} / ${d.decisions[1]}`]),
      ]),
    );
  }
  const winners = Object.entries(comparison.winners);
  if (winners.length > 0) lines.push('', `better: ${winners.map(([metric, label]) => `${METRIC_NAMES[metric] ?? metric} ${label}`).join(', ')}`);
  return lines;
}

/** The replay report as text for a terminal. */
export function formatReplay(report: ReplayReport): string {
  const e = report.events;
  const lines = [
    `replay ${report.model}: ${time(report.from)} → ${time(report.to)}`,
    `events: ${counts.format(e.total)}; ${counts.format(e.warmUp)} before the window (warm-up), ${counts.format(e.window)} in it with ${counts.format(e.predicted)} '${report.spineSource}' events predicted, ${counts.format(e.after)} after; rejected: ${listCounts(e.rejected)}`,
    '',
    ...table(versionRows(report)),
    ...(report.comparison === null ? [] : comparisonLines(report.comparison)),
  ];
  return `${lines.join('\n')}\n`;
}
