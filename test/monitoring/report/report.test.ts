import { describe, expect, it, vi } from 'vitest';
import { renderReport, type ReportInput } from '../../../src/monitoring/report/index.js';
import type { ColumnDrift } from '../../../src/monitoring/types.js';
import { buildReportInput } from './report-fixture.js';

/** The HTML of each column's <article>, by the column name it carries. */
function articles(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of html.matchAll(/<article class="feature[^"]*" id="([^"]+)" data-column="([^"]*)">([\s\S]*?)<\/article>/g)) {
    found.set(match[2]!, match[0]);
  }
  return found;
}

describe('the drift report', () => {
  const input = buildReportInput();
  const features = input.drift.columns.filter((c) => c.column !== 'score');

  it('has a section with an SVG histogram for every feature and for the prediction', () => {
    const html = renderReport(input);
    const sections = articles(html);
    expect([...sections.keys()].sort()).toEqual([...input.drift.columns.map((c) => c.column)].sort());
    for (const [name, section] of sections) {
      expect(section, name).toMatch(/<svg class="histogram[^"]*"[^>]*>[\s\S]*<rect class="ref"[\s\S]*<rect class="cur"[\s\S]*<\/svg>/);
    }
    expect(html).toContain('<section id="prediction"><h2>Prediction drift</h2>');
  });

  it('summarises dataset drift and marks the drifted columns', () => {
    const html = renderReport(input);
    expect(html).toMatch(/Dataset drift<\/div><div class="value">Yes/);
    expect(html).toMatch(/Drift share<\/div><div class="value">50%/);
    expect(html).toMatch(/Columns drifted<\/div><div class="value">3 <small>of 6<\/small>/);
    const driftedRows = [...html.matchAll(/<tr class="drifted" data-column="([^"]+)">/g)].map((m) => m[1]);
    expect(driftedRows).toEqual(features.filter((c) => c.drifted).map((c) => c.column));
    for (const [name, section] of articles(html)) {
      const drifted = input.drift.columns.find((c) => c.column === name)!.drifted;
      expect(section.includes('badge bad">drifted'), name).toBe(drifted);
    }
  });

  it('shows the performance numbers and the alerts, newest first', () => {
    const html = renderReport(input);
    expect(html).toMatch(/rocAuc<\/td><td class="num">0.871/);
    expect(html).toMatch(/logLoss<\/td><td class="num">0.278/);
    const alerts = [...html.matchAll(/<td class="name nowrap">([\w-]+)<\/td><td>(?:data-drift|performance|concept-drift)/g)].map((m) => m[1]);
    expect(alerts).toEqual(['input-drift', 'auc-drop', 'loss-detector']);
    expect(renderReport({ ...input, performance: {}, alerts: [] })).toContain('no labelled predictions yet');
  });

  it('leaves out the prediction section when the model gives no scores', () => {
    const html = renderReport({ ...input, reference: { ...input.reference, prediction: null }, drift: { ...input.drift, columns: features } });
    expect(html).not.toContain('id="prediction"');
    expect(html).toMatch(/Prediction drift<\/div><div class="value">—/);
  });

  it('escapes every string from the input', () => {
    const hostile = '<script>alert("x")</script>';
    const column: ColumnDrift = { ...features[0]!, column: hostile, reference: { labels: [hostile, 'b'], counts: [1, 2] }, current: { labels: [hostile, 'b'], counts: [2, 1] }, kind: 'category' };
    const html = renderReport({
      ...input,
      model: `fraud" onload="x`,
      drift: { ...input.drift, columns: [column] },
      performance: { [hostile]: 1 },
      alerts: [{ ...input.alerts![0]!, message: hostile, outcome: hostile, alert: hostile }],
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('" onload="');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('is self-contained: no scripts and nothing loaded from elsewhere', () => {
    const html = renderReport(input);
    expect(html).not.toMatch(/<script|<link|\bsrc=|@import|url\(/i);
  });

  it('gives the same bytes for the same input, whatever the clock', () => {
    const first = renderReport(input);
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2031-07-01T00:00:00Z'));
    const later = renderReport(structuredClone(input) as ReportInput);
    vi.useRealTimers();
    expect(later).toBe(first);
    expect(first).toContain('generated 2026-03-02 12:00:00 UTC');
  });
});
