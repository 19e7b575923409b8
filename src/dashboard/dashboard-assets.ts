import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { TandemError } from '../errors.js';

/** A file the dashboard serves, read once when the plugin registers. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly cacheControl: string;
}

export type DashboardAssetName = 'dashboard.js' | 'dashboard.css' | 'uplot.min.js' | 'uplot.min.css';

export interface DashboardAssets {
  /** The page, with the poll interval and asset versions filled in. */
  readonly page: string;
  readonly files: ReadonlyMap<DashboardAssetName, DashboardAsset>;
}

// uPlot's files change only with its version (which the page puts in their URLs), so browsers may
// keep them a day; the dashboard's own files revalidate, so an upgrade shows at the next load.
const LONG = 'public, max-age=86400';
const REVALIDATE = 'no-cache';

const require = createRequire(import.meta.url);

function asset(body: Buffer, contentType: string, cacheControl: string): DashboardAsset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag, cacheControl };
}

async function read(url: URL | string, what: string): Promise<Buffer> {
  try {
    return await readFile(url);
  } catch (cause) {
    throw new TandemError('TANDEM_INTERNAL', `the dashboard cannot read its ${what} (${String(url)}); reinstall tandem`, { cause });
  }
}

/** Reads the page, its script and style, and uPlot's build from node_modules. */
export async function loadDashboardAssets(options: { readonly refreshMs: number }): Promise<DashboardAssets> {
  const own = (name: string): URL => new URL(`./assets/${name}`, import.meta.url);
  const uplotVersion = (require('uplot/package.json') as { version: string }).version;
  const [template, script, style, uplotJs, uplotCss] = await Promise.all([
    read(own('dashboard.html'), 'page'),
    read(own('dashboard.js'), 'script'),
    read(own('dashboard.css'), 'style'),
    read(require.resolve('uplot/dist/uPlot.iife.min.js'), 'uPlot script'),
    read(require.resolve('uplot/dist/uPlot.min.css'), 'uPlot style'),
  ]);
  const files = new Map<DashboardAssetName, DashboardAsset>([
    ['dashboard.js', asset(script, 'text/javascript; charset=utf-8', REVALIDATE)],
    ['dashboard.css', asset(style, 'text/css; charset=utf-8', REVALIDATE)],
    ['uplot.min.js', asset(uplotJs, 'text/javascript; charset=utf-8', LONG)],
    ['uplot.min.css', asset(uplotCss, 'text/css; charset=utf-8', LONG)],
  ]);
  const version = (name: DashboardAssetName): string => (name.startsWith('uplot') ? uplotVersion : files.get(name)!.etag.slice(1, 9));
  const page = template
    .toString('utf8')
    .replaceAll('{{refreshMs}}', String(options.refreshMs))
    .replace(/\{\{v:([\w.]+)\}\}/g, (_, name: DashboardAssetName) => encodeURIComponent(version(name)));
  return { page, files };
}
