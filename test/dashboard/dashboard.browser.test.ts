import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/dashboard/index.js';
import type { MonitoringSnapshot } from '../../src/monitoring/types.js';
import { ARTIFACTS, collectProblems, launchChromium } from './chromium.js';
import { buildSnapshot, ETA_COLUMNS, FRAUD_COLUMNS, FRAUD_PREDICTION } from './snapshot-fixture.js';

const REFRESH_MS = 300;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let problems: string[];
let snapshot: MonitoringSnapshot;
let url: string;

beforeAll(async () => {
  snapshot = buildSnapshot();
  app = Fastify();
  await app.register(dashboardRoutes({ snapshot: () => snapshot, refreshMs: REFRESH_MS }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  problems = collectProblems(page);
  await page.goto(`${url}/dashboard`);
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const model = (name: string): string => `[data-testid="model"][data-model="${name}"]`;

/** Width and height of every uPlot canvas under `selector`. */
async function canvases(selector: string): Promise<{ width: number; height: number }[]> {
  // The tests' tsconfig has no DOM types: a canvas is read as what it is here, a width and a height.
  return page.$$eval(`${selector} .uplot canvas`, (elements) => elements.map((c) => c as unknown as { width: number; height: number }).map(({ width, height }) => ({ width, height })));
}

describe('the dashboard in a browser', () => {
  it('shows the header tiles with the latest values', async () => {
    const tiles = await page.$$eval('[data-testid^="tile-"]', (elements) => elements.map((e) => e.getAttribute('data-testid')));
    expect(tiles).toEqual(['tile-requests', 'tile-latency', 'tile-fallback', 'tile-events', 'tile-uptime', 'tile-alerts']);
    expect(await page.textContent('[data-testid="tile-uptime"] .value')).toBe('3 d 4 h');
    expect(await page.textContent('[data-testid="tile-alerts"] .value')).toBe('4');
    expect(await page.textContent('[data-testid="tile-requests"] .value')).toMatch(/^\d{3}$/);
  });

  it('draws every service chart with data', async () => {
    for (const name of ['throughput', 'latency', 'fallback', 'resources', 'loop-lag', 'freshness']) {
      const sizes = await canvases(`[data-testid="chart-${name}"]`);
      expect(sizes, name).toHaveLength(1);
      expect(sizes[0]!.width, name).toBeGreaterThan(200);
      expect(sizes[0]!.height, name).toBeGreaterThan(100);
    }
    const legend = await page.$$eval('[data-testid="chart-throughput"] .u-legend .u-label', (e) => e.map((x) => x.textContent));
    expect(legend).toEqual(['time', 'requests/s', 'events/s']);
  });

  it('shows each model with its versions, champion highlighted, and serving roles', async () => {
    expect(await page.$$eval('[data-testid="model"]', (e) => e.map((x) => x.getAttribute('data-model')))).toEqual(['fraud', 'delivery_eta']);
    const champion = await page.$$eval(`${model('fraud')} [data-testid="version-row"].champion`, (e) => e.map((x) => x.getAttribute('data-version')));
    expect(champion).toEqual(['3']);
    expect(await page.$$eval(`${model('fraud')} [data-testid="version-row"]`, (e) => e.length)).toBe(4);
    expect(await page.textContent(`${model('fraud')} [data-testid="serving-roles"]`)).toMatch(/champion v3.*canary v4.*shadow v4/);
    expect(await page.textContent(`${model('delivery_eta')} [data-testid="serving-roles"]`)).toMatch(/canary —/);
  });

  it('lists every drift column with its histogram, badging the drifted ones', async () => {
    const fraudRows = await page.$$eval(`${model('fraud')} [data-testid="drift-row"]`, (e) => e.map((x) => x.getAttribute('data-column')));
    const fraud = [...FRAUD_COLUMNS, FRAUD_PREDICTION];
    expect(fraudRows).toHaveLength(fraud.length);
    // Drifted first.
    expect(fraudRows.slice(0, 4)).toEqual(fraud.filter((c) => c.drifted).map((c) => c.column));
    expect(await page.$$eval(`${model('fraud')} [data-testid="drift-badge"]`, (e) => e.length)).toBe(4);
    expect(await page.$$eval(`${model('fraud')} [data-testid="histogram"] rect`, (e) => e.length)).toBeGreaterThan(fraud.length * 2);
    expect(await page.$$eval(`${model('delivery_eta')} [data-testid="drift-row"]`, (e) => e.length)).toBe(ETA_COLUMNS.length + 1);
    expect(await page.$$eval(`${model('delivery_eta')} [data-testid="drift-badge"]`, (e) => e.length)).toBe(0);
    expect(await page.textContent(`${model('fraud')} [data-testid="drift-summary"]`)).toMatch(/drifted\s+4 of 7 columns drifted · share of input features 50%/);
  });

  it('charts drift and performance over time, and says so when there are no labels yet', async () => {
    expect(await canvases(`${model('fraud')} [data-testid="chart-drift-share"]`)).toHaveLength(1);
    expect(await canvases(`${model('fraud')} [data-testid="chart-performance"]`)).toHaveLength(1);
    const perfLegend = await page.$$eval(`${model('fraud')} [data-testid="chart-performance"] .u-legend .u-label`, (e) => e.map((x) => x.textContent));
    expect(perfLegend).toEqual(['time', 'ROC AUC', 'accuracy', 'log loss']);
    expect(await canvases(`${model('delivery_eta')} [data-testid="chart-performance"]`)).toHaveLength(0);
    expect(await page.textContent(`${model('delivery_eta')} [data-testid="chart-performance"] .empty`)).toBe('no labelled predictions yet');
    const states = await page.$$eval(`${model('fraud')} [data-testid="detector-state"]`, (e) => e.map((x) => x.textContent));
    expect(states).toEqual(['drift', 'warning', 'stable']);
  });

  it('lists the alerts newest first', async () => {
    const rows = await page.$$eval('[data-testid="alert-row"] td.name', (e) => e.map((x) => x.textContent));
    expect(rows).toEqual(snapshot.alerts.map((a) => a.alert));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('picks up a new alert on the next poll and shows user strings as text', async () => {
    const hostile = '<img src=x onerror="document.body.dataset.pwned=1">';
    const before = Number(await page.getAttribute('body', 'data-renders'));
    snapshot = {
      ...snapshot,
      generatedAt: snapshot.generatedAt + 10_000,
      alerts: [{ at: snapshot.generatedAt + 5_000, model: 'fraud', alert: 'freshness', kind: 'freshness', message: `features late for ${hostile}`, action: 'webhook', outcome: 'webhook 503' }, ...snapshot.alerts],
    };
    await page.waitForSelector(`body[data-generated-at="${snapshot.generatedAt}"]`, { timeout: 10 * REFRESH_MS });
    expect(Number(await page.getAttribute('body', 'data-renders'))).toBeGreaterThan(before);
    expect(await page.$$eval('[data-testid="alert-row"]', (e) => e.length)).toBe(5);
    expect(await page.textContent('[data-testid="alert-row"]:first-child td.message')).toBe(`features late for ${hostile}`);
    expect(await page.textContent('[data-testid="tile-alerts"] .value')).toBe('5');
    expect(await page.$$eval('[data-testid="alerts-table"] img', (e) => e.length)).toBe(0);
    expect(await page.getAttribute('body', 'data-pwned')).toBeNull();
  });

  it('logged no console errors, page errors or failed requests', () => {
    expect(problems).toEqual([]);
  });
});

describe('the dashboard of a server that has just started', () => {
  it('shows empty states instead of blank charts', async () => {
    const fresh = Fastify();
    const start: MonitoringSnapshot = { generatedAt: Date.UTC(2026, 2, 2, 12), uptimeSeconds: 3, series: { time: [] }, models: [], alerts: [] };
    await fresh.register(dashboardRoutes({ snapshot: () => start }));
    await fresh.listen({ host: '127.0.0.1', port: 0 });
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = collectProblems(other);
    try {
      await other.goto(`http://127.0.0.1:${(fresh.server.address() as AddressInfo).port}/dashboard`);
      await other.waitForSelector('body[data-rendered="true"]');
      expect(await other.$$eval('.uplot', (e) => e.length)).toBe(0);
      expect(await other.textContent('[data-testid="chart-throughput"] .empty')).toBe('no samples yet');
      expect(await other.textContent('[data-testid="models"]')).toContain('no models are served yet');
      expect(await other.textContent('[data-testid="alerts"]')).toContain('no alerts yet');
      expect(await other.textContent('[data-testid="tile-requests"] .value')).toBe('—');
      await other.screenshot({ path: join(ARTIFACTS, 'dashboard-empty.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await other.close();
      await fresh.close();
    }
  });
});
