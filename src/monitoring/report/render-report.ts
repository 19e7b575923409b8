import type { AlertRecord, ColumnDrift, ColumnProfile, DatasetDrift, ReferenceProfile } from '../types.js';
import { escapeHtml as esc } from './escape-html.js';
import { formatNumber, formatPercent, formatPValue, formatTime } from './format.js';
import { histogramSvg } from './histogram-svg.js';
import { REPORT_STYLE } from './report-style.js';

export interface ReportInput {
  readonly model: string;
  /** The version whose reference the drift was measured against; null when not known. */
  readonly version: number | null;
  /** Epoch ms, printed in the report (the report reads no clock, so the same input gives the same file). */
  readonly generatedAt: number;
  readonly reference: ReferenceProfile;
  /** Columns of the features and, when the reference has one, of the prediction column. */
  readonly drift: DatasetDrift;
  /** Metrics over labelled predictions; null where there were too few labels. */
  readonly performance?: { readonly [metric: string]: number | null };
  readonly alerts?: readonly AlertRecord[];
}

const badge = (drifted: boolean): string => (drifted ? '<span class="badge bad">drifted</span>' : '<span class="badge good">no drift</span>');
/** A summary figure; `value` and `note` are markup the caller escaped. */
const card = (label: string, value: string, options: { tone?: string; note?: string } = {}): string =>
  `<div class="card ${options.tone ?? ''}"><div class="label">${esc(label)}</div><div class="value">${value}</div>${options.note === undefined ? '' : `<div class="note">${options.note}</div>`}</div>`;
const empty = (text: string): string => `<p class="empty">${esc(text)}</p>`;

/** When the test fires: a p-value below the threshold, or a distance at or above it. */
const rule = (c: ColumnDrift): string => (c.pValue === null ? `≥ ${formatNumber(c.threshold)}` : `p &lt; ${formatNumber(c.threshold)}`);

/** Drifted columns first, otherwise in the drift result's order. */
function driftedFirst(columns: readonly ColumnDrift[]): ColumnDrift[] {
  return columns
    .map((column, i) => ({ column, i }))
    .sort((a, b) => Number(b.column.drifted) - Number(a.column.drifted) || a.i - b.i)
    .map(({ column }) => column);
}

function summary(input: ReportInput, features: readonly ColumnDrift[], prediction: ColumnDrift | undefined): string {
  const { drift } = input;
  const drifted = features.filter((c) => c.drifted).length;
  const cards = [
    card('Dataset drift', drift.drifted ? 'Yes' : 'No', { tone: drift.drifted ? 'bad' : 'good' }),
    card('Drift share', formatPercent(drift.driftShare), { note: `alert at ${formatPercent(drift.shareThreshold)}` }),
    card('Columns drifted', `${drifted} <small>of ${features.length}</small>`, { tone: drifted > 0 ? 'bad' : '', note: 'input features' }),
    card('Prediction drift', prediction === undefined ? '—' : prediction.drifted ? 'Yes' : 'No', {
      tone: prediction?.drifted ? 'bad' : '',
      note: prediction === undefined ? 'no prediction column' : `${esc(prediction.column)}, ${esc(prediction.method)}`,
    }),
    card('Window', formatNumber(drift.windowSize), { note: 'live rows' }),
    card('Reference', formatNumber(input.reference.rows), { note: 'training rows' }),
  ];
  const names = features.filter((c) => c.drifted).map((c) => `<code>${esc(c.column)}</code>`);
  return `<section id="summary"><h2>Summary</h2><div class="cards">${cards.join('')}</div>
    <p class="meta">Window evaluated ${esc(formatTime(drift.at))}.${names.length > 0 ? ` Drifted: ${names.join(', ')}.` : ' No column drifted.'}</p></section>`;
}

function featureTable(features: readonly ColumnDrift[], anchors: ReadonlyMap<ColumnDrift, string>): string {
  if (features.length === 0) return `<section id="features"><h2>Features</h2>${empty('no feature columns were evaluated')}</section>`;
  const rows = driftedFirst(features).map(
    (c) => `<tr class="${c.drifted ? 'drifted' : ''}" data-column="${esc(c.column)}">
      <td class="name"><a href="#${anchors.get(c)}">${esc(c.column)}</a></td><td>${esc(c.kind)}</td><td>${esc(c.method)}</td>
      <td class="num">${formatNumber(c.statistic)}</td><td class="num">${formatPValue(c.pValue)}</td><td class="num">${rule(c)}</td>
      <td>${badge(c.drifted)}</td><td class="num">${formatNumber(c.referenceCount)} / ${formatNumber(c.currentCount)}</td></tr>`,
  );
  return `<section id="features"><h2>Features</h2><table><thead><tr><th>Column</th><th>Kind</th><th>Method</th><th class="num">Statistic</th><th class="num">p-value</th>
    <th class="num">Drift when</th><th>Result</th><th class="num">Rows ref / current</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** The reference's own figures for a column, beside its histogram. */
function profileStats(profile: ColumnProfile | undefined): string {
  if (profile === undefined) return empty('not in the reference profile');
  const rows: [string, string][] = [
    ['rows', formatNumber(profile.count)],
    ['missing', `${formatNumber(profile.missing)} (${formatPercent(profile.count === 0 ? null : profile.missing / profile.count, 1)})`],
    ['distinct', formatNumber(profile.distinct)],
  ];
  if (profile.kind === 'number') {
    rows.push(['mean', formatNumber(profile.mean)], ['std', formatNumber(profile.std)], ['min', formatNumber(profile.min)]);
    rows.push(['median', formatNumber(profile.quantiles[50])], ['max', formatNumber(profile.max)]);
  } else {
    const known = profile.count - profile.missing;
    for (const { value, count } of profile.frequencies.slice(0, 5)) rows.push([value, formatPercent(known === 0 ? null : count / known, 1)]);
  }
  return `<div><p class="muted">In the reference</p><dl class="stats">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></div>`;
}

function columnSection(c: ColumnDrift, anchor: string, profile: ColumnProfile | undefined): string {
  const test = c.pValue === null ? `distance ${formatNumber(c.statistic)}, drift when ≥ ${formatNumber(c.threshold)}` : `statistic ${formatNumber(c.statistic)}, p-value ${formatPValue(c.pValue)}, drift when p &lt; ${formatNumber(c.threshold)}`;
  return `<article class="feature${c.drifted ? ' drifted' : ''}" id="${anchor}" data-column="${esc(c.column)}">
    <div class="feature-head"><h3>${esc(c.column)}</h3>${badge(c.drifted)}<span class="muted">${esc(c.kind)} · ${esc(c.method)}: ${test}</span></div>
    <div class="feature-body">${histogramSvg(c)}${profileStats(profile)}</div></article>`;
}

function performanceSection(performance: ReportInput['performance']): string {
  const metrics = Object.entries(performance ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const body =
    metrics.length === 0 || metrics.every(([, v]) => v === null)
      ? empty('no labelled predictions yet')
      : `<table><thead><tr><th>Metric</th><th class="num">Value</th></tr></thead><tbody>${metrics
          .map(([name, value]) => `<tr><td class="name">${esc(name)}</td><td class="num">${formatNumber(value)}</td></tr>`)
          .join('')}</tbody></table>`;
  return `<section id="performance"><h2>Performance <small>over labelled predictions</small></h2>${body}</section>`;
}

function alertsSection(alerts: readonly AlertRecord[] | undefined): string {
  const sorted = [...(alerts ?? [])].sort((a, b) => b.at - a.at);
  const body =
    sorted.length === 0
      ? empty('no alerts')
      : `<table><thead><tr><th>Time</th><th>Alert</th><th>Kind</th><th>Message</th><th>Action</th><th>Outcome</th></tr></thead><tbody>${sorted
          .map(
            (a) => `<tr><td class="nowrap">${esc(formatTime(a.at))}</td><td class="name nowrap">${esc(a.alert)}</td><td>${esc(a.kind)}</td><td>${esc(a.message)}</td>
              <td>${esc(a.action)}</td><td>${esc(a.outcome)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<section id="alerts"><h2>Alerts <small>newest first</small></h2>${body}</section>`;
}

/**
 * A drift and performance report as one self-contained HTML file: inline style, an inline SVG
 * histogram per column, no scripts. Every string from the input is escaped, and the output
 * depends on the input alone.
 */
export function renderReport(input: ReportInput): string {
  const predictionName = input.reference.prediction?.name;
  const features = input.drift.columns.filter((c) => c.column !== predictionName);
  const prediction = input.drift.columns.find((c) => c.column === predictionName);
  // Anchors by position: column names are user data and need not make valid ids.
  const anchors = new Map(features.map((c, i) => [c, `feature-${i + 1}`]));
  const profiles = new Map(input.reference.features.map((p) => [p.name, p]));
  const title = `${input.model}${input.version === null ? '' : ` v${input.version}`}`;

  const predictionSection =
    prediction === undefined
      ? ''
      : `<section id="prediction"><h2>Prediction drift</h2>${columnSection(prediction, 'prediction-column', input.reference.prediction ?? undefined)}</section>`;
  const sections = driftedFirst(features).map((c) => columnSection(c, anchors.get(c)!, profiles.get(c.column)));

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drift report · ${esc(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<main>
<header><h1>Drift and performance report</h1>
<p class="meta">Model <b>${esc(input.model)}</b>${input.version === null ? '' : ` · version ${esc(input.version)}`} · generated ${esc(formatTime(input.generatedAt))}</p></header>
${summary(input, features, prediction)}
${featureTable(features, anchors)}
${predictionSection}
${performanceSection(input.performance)}
${alertsSection(input.alerts)}
<section id="columns"><h2>Columns <small>share of rows per bin, on the reference's bins</small></h2>${sections.join('\n') || empty('no columns')}</section>
<footer>tandem monitor report</footer>
</main>
</body>
</html>
`;
}
