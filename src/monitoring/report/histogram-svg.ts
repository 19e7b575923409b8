import type { ColumnDrift, Histogram } from '../types.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber, formatPercent } from './format.js';

const WIDTH = 640;
const HEIGHT = 210;
const MARGIN = { top: 26, right: 12, bottom: 46, left: 46 } as const;

/** Each count as a share of its histogram's total, so windows of different sizes compare. */
function shares(histogram: Histogram, bins: number): number[] {
  const total = histogram.counts.reduce((a, b) => a + b, 0);
  return Array.from({ length: bins }, (_, i) => (total === 0 ? 0 : (histogram.counts[i] ?? 0) / total));
}

/** The name of bin `i`: its category, or its numeric range. */
export function binLabel(histogram: Histogram, i: number): string {
  const label = histogram.labels?.[i];
  if (label !== undefined) return label;
  const lo = histogram.edges?.[i];
  const hi = histogram.edges?.[i + 1];
  return lo === undefined || hi === undefined ? `bin ${i + 1}` : `${formatNumber(lo)} – ${formatNumber(hi)}`;
}

/** A round step near range/4 (1, 2 or 5 times a power of ten) for the share axis. */
function tickStep(max: number): number {
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? raw;
}

const short = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const px = (n: number): string => n.toFixed(1);

/**
 * Reference and current distributions of a column as grouped bars on the reference's bins,
 * heights in share of rows. Plain SVG with a <title> per bin for the exact figures.
 */
export function histogramSvg(column: ColumnDrift): string {
  const bins = Math.max(column.reference.counts.length, column.current.counts.length);
  if (bins === 0) return '<p class="empty">no histogram: neither window has values</p>';
  const reference = shares(column.reference, bins);
  const current = shares(column.current, bins);
  const step = tickStep(Math.max(...reference, ...current, 0.01));
  const top = Math.ceil(Math.max(...reference, ...current, 0.01) / step) * step;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const binWidth = plotWidth / bins;
  const y = (share: number): number => MARGIN.top + plotHeight * (1 - share / top);
  const parts: string[] = [];

  const ticks = Math.round(top / step);
  for (let k = 0; k <= ticks; k++) {
    const tick = k * step;
    const at = px(y(tick));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${at}" y2="${at}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${formatPercent(tick, step < 0.01 ? 1 : 0)}</text>`);
  }

  const categorical = column.reference.labels !== undefined;
  // Numeric axes label the bin edges; keep about eight so they do not overlap.
  const labelEvery = Math.max(1, Math.ceil((categorical ? bins : bins + 1) / (categorical ? 12 : 8)));
  for (let i = 0; i < bins; i++) {
    const x0 = MARGIN.left + i * binWidth;
    const bar = (binWidth - 4) / 2;
    const name = escapeHtml(binLabel(column.reference, i));
    parts.push(
      `<g><title>${name}: reference ${formatPercent(reference[i], 1)}, current ${formatPercent(current[i], 1)}</title>` +
        `<rect class="ref" x="${px(x0 + 2)}" y="${px(y(reference[i]!))}" width="${px(bar)}" height="${px(y(0) - y(reference[i]!))}"/>` +
        `<rect class="cur" x="${px(x0 + 2 + bar)}" y="${px(y(current[i]!))}" width="${px(bar)}" height="${px(y(0) - y(current[i]!))}"/></g>`,
    );
    if (categorical && i % labelEvery === 0) {
      const label = escapeHtml(short(binLabel(column.reference, i), Math.max(4, Math.floor((binWidth * labelEvery) / 7))));
      parts.push(`<text class="tick" x="${px(x0 + binWidth / 2)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${label}</text>`);
    }
  }
  const edges = column.reference.edges;
  if (!categorical && edges !== undefined) {
    edges.forEach((edge, i) => {
      if (i % labelEvery !== 0 && i !== edges.length - 1) return;
      const x = MARGIN.left + i * binWidth;
      parts.push(`<text class="tick" x="${px(x)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${escapeHtml(formatNumber(edge))}</text>`);
    });
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${px(y(0))}" y2="${px(y(0))}"/>`);
  parts.push(`<text class="axis-label" x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(column.column)}${categorical ? '' : ' (reference bins)'}</text>`);
  parts.push(
    `<g class="legend" transform="translate(${WIDTH - MARGIN.right - 190},8)"><rect class="ref" width="10" height="10"/><text x="14" y="9">reference</text>` +
      `<rect class="cur" x="90" width="10" height="10"/><text x="104" y="9">current</text></g>`,
  );

  const label = `${escapeHtml(column.column)}: share of rows per bin, reference and current`;
  return `<svg class="histogram${column.drifted ? ' drifted' : ''}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
