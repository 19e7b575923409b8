import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/dashboard/index.js';
import type { MonitoringSnapshot } from '../../src/monitoring/types.js';
import { buildSnapshot } from './snapshot-fixture.js';

const HOSTILE = '<img src=x onerror="alert(1)">';
let app: FastifyInstance;
let snapshot: MonitoringSnapshot;

beforeEach(async () => {
  snapshot = buildSnapshot();
  app = Fastify();
  await app.register(dashboardRoutes({ snapshot: () => snapshot, refreshMs: 750 }));
});
afterEach(async () => {
  await app.close();
});

describe('the dashboard routes', () => {
  it('serve the page as HTML that polls at the configured interval and loads only local assets', async () => {
    const page = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('data-refresh-ms="750"');
    const sources = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.some((s) => s.startsWith('dashboard/assets/uplot.min.js?v='))).toBe(true);
    expect(sources.some((s) => s.startsWith('dashboard/assets/uplot.min.css?v='))).toBe(true);
    expect(sources.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
    expect(page.body).not.toContain('{{');
  });

  it("serve uPlot's script and style with caching headers, and answer a revalidation with 304", async () => {
    const js = await app.inject({ method: 'GET', url: '/dashboard/assets/uplot.min.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=86400');
    expect(js.body).toContain('uPlot');
    const css = await app.inject({ method: 'GET', url: '/dashboard/assets/uplot.min.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('.uplot');
    const again = await app.inject({ method: 'GET', url: '/dashboard/assets/uplot.min.js', headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serve its own script and style for revalidation, and nothing else from the asset folder', async () => {
    const script = await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['cache-control']).toBe('no-cache');
    expect(script.body).toContain('dashboard/snapshot.json');
    expect((await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.css' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.html' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/dashboard/assets/..%2Fdashboard-routes.ts' })).statusCode).toBe(404);
  });

  it('answer the snapshot as uncached JSON, calling the source on every request', async () => {
    const first = await app.inject({ method: 'GET', url: '/dashboard/snapshot.json' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toEqual(JSON.parse(JSON.stringify(snapshot)));
    snapshot = { ...snapshot, generatedAt: snapshot.generatedAt + 2000 };
    expect((await app.inject({ method: 'GET', url: '/dashboard/snapshot.json' })).json()).toMatchObject({ generatedAt: snapshot.generatedAt });
  });

  it('accept an async snapshot source', async () => {
    const other = Fastify();
    await other.register(dashboardRoutes({ snapshot: async () => buildSnapshot({ points: 3 }) }));
    const body = (await other.inject({ method: 'GET', url: '/dashboard/snapshot.json' })).json() as MonitoringSnapshot;
    expect(body.series.time).toHaveLength(3);
    expect((await other.inject({ method: 'GET', url: '/dashboard' })).body).toContain('data-refresh-ms="2000"');
    await other.close();
  });

  it('keep user strings out of the page and pass them through the JSON unchanged, for the client to escape', async () => {
    snapshot = { ...snapshot, models: [{ ...snapshot.models[0]!, model: HOSTILE }] };
    const page = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.body).not.toContain('onerror');
    const json = await app.inject({ method: 'GET', url: '/dashboard/snapshot.json' });
    expect(json.headers['x-content-type-options']).toBe('nosniff');
    expect((json.json() as MonitoringSnapshot).models[0]!.model).toBe(HOSTILE);
    const script = (await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.js' })).body;
    // Every interpolation into markup goes through esc() or a number formatter.
    expect(script).toContain("'<': '&lt;'");
  });

  it('refuse a refresh interval that is not a whole number of milliseconds', () => {
    expect(() => dashboardRoutes({ snapshot: () => snapshot, refreshMs: 0.5 })).toThrow(/refreshMs must be a whole number of milliseconds ≥ 100, got 0.5/);
  });
});
