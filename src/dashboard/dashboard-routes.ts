import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TandemError } from '../errors.js';
import type { MonitoringSnapshot } from '../monitoring/types.js';
import { loadDashboardAssets, type DashboardAssetName } from './dashboard-assets.js';

export interface DashboardOptions {
  /** What the page shows: called on every poll of `GET /dashboard/snapshot.json`. */
  readonly snapshot: () => MonitoringSnapshot | Promise<MonitoringSnapshot>;
  /** How often the page polls the snapshot, in milliseconds. @default 2000 */
  readonly refreshMs?: number;
}

// The page loads only its own files and fetches only its own snapshot: a name from the snapshot
// that slipped past escaping could still not run a script.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSET_NAMES: readonly DashboardAssetName[] = ['dashboard.js', 'dashboard.css', 'uplot.min.js', 'uplot.min.css'];

/**
 * `GET /dashboard` (the live monitoring page), `GET /dashboard/assets/:name` (its script and
 * style, and uPlot's) and `GET /dashboard/snapshot.json` (what the page polls). Needs no build
 * step and no network beyond this server.
 */
export function dashboardRoutes(options: DashboardOptions) {
  const refreshMs = options.refreshMs ?? 2000;
  if (!Number.isInteger(refreshMs) || refreshMs < 100) {
    throw new TandemError('TANDEM_INVALID_PARAMETER', `dashboard refreshMs must be a whole number of milliseconds ≥ 100, got ${String(refreshMs)}`);
  }
  return async (app: FastifyInstance): Promise<void> => {
    const assets = await loadDashboardAssets({ refreshMs });

    app.get('/dashboard', async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .send(assets.page),
    );

    app.get('/dashboard/assets/:name', async (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => {
      const name = request.params.name as DashboardAssetName;
      const file = ASSET_NAMES.includes(name) ? assets.files.get(name) : undefined;
      if (file === undefined) return reply.callNotFound();
      reply.header('etag', file.etag).header('cache-control', file.cacheControl).header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
      return reply.type(file.contentType).send(file.body);
    });

    app.get('/dashboard/snapshot.json', async (_request, reply) => {
      const snapshot = await options.snapshot();
      return reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(snapshot);
    });
  };
}
