import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli.js';
import { loadProject } from '../../src/config/load-project.js';
import { backfillRows } from '../../src/engine/index.js';
import { readTable, tableToRows } from '../../src/io/index.js';

const FLIGHTS = 'examples/flights/tandem.config.ts';
const dir = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const H = 3_600_000;
const start = Date.UTC(2026, 0, 1);
const flights = Array.from({ length: 60 }, (_, i) => ({
  date: start + Math.floor(i / 2) * (H / 2) + (i % 2), // pairs one millisecond apart
  origin: i % 3 === 0 ? 'JFK' : 'LAX',
  destination: i % 2 === 0 ? 'SFO' : 'ORD',
  delay: (i * 7) % 40,
  distance: 1000 + i,
}));
const csv = join(dir, 'flights.csv');
writeFileSync(
  csv,
  ['date,origin,destination,delay,distance', ...flights.map((f) => `${new Date(f.date).toISOString()},${f.origin},${f.destination},${f.delay},${f.distance}`)].join('\n'),
);

const cli = captureCli();
const run = cli.run;


describe('tandem backfill', () => {
  it('writes each event with its features as of its own time, equal to the library backfill', async () => {
    const out = join(dir, 'training.parquet');
    expect(await run('backfill', '--config', FLIGHTS, '--view', 'origin_stats', '--events', csv, '--spine', 'events', '--out', out)).toBe(0);
    expect(cli.stdout).toMatch(/backfill: 60 rows × 3 features → .*training\.parquet in .* rows\/s/);
    const rows = tableToRows(await readTable(out));
    expect(Object.keys(rows[0]!)).toEqual(['date', 'origin', 'destination', 'delay', 'distance', 'cnt_1h', 'avg_delay_24h', 'frac_delayed_24h']);
    const expected = backfillRows(await loadProject(FLIGHTS), { views: ['origin_stats'], events: flights, spine: 'events' });
    expect(rows).toEqual(expected);
    // The first JFK flight sees nothing; the second sees only the first.
    expect(rows[0]).toMatchObject({ origin: 'JFK', cnt_1h: 0, avg_delay_24h: null });
    expect(rows[3]).toMatchObject({ origin: 'JFK', cnt_1h: 1, avg_delay_24h: 0 });
  });

  it('passes spine columns through and reads a spine file with its own rows', async () => {
    const spine = join(dir, 'spine.csv');
    writeFileSync(spine, `origin,date,label\nJFK,${new Date(start + 2 * H).toISOString()},1\nBOS,${new Date(start).toISOString()},0\n`);
    const out = join(dir, 'spine-out.csv');
    expect(await run('backfill', '--config', FLIGHTS, '-v', 'origin_stats', '-e', csv, '-s', spine, '-o', out)).toBe(0);
    const rows = tableToRows(await readTable(out));
    expect(rows).toEqual([
      // JFK flights before 02:00: delays 0 (00:00), 21 (00:30) and 2 (01:30); only the last is within 1h.
      { origin: 'JFK', date: start + 2 * H, label: 1, cnt_1h: 1, avg_delay_24h: 23 / 3, frac_delayed_24h: 1 / 3 },
      { origin: 'BOS', date: start, label: 0, cnt_1h: 0, avg_delay_24h: null, frac_delayed_24h: null },
    ]);
  });

  it('names an unknown view and lists the known ones', async () => {
    expect(await run('backfill', '--config', FLIGHTS, '--view', 'nope', '--events', csv, '--spine', 'events', '--out', join(dir, 'x.csv'))).toBe(2);
    expect(cli.stderr).toContain("error [TANDEM_UNKNOWN_VIEW]: unknown view 'nope'");
    expect(cli.stderr).toContain('origin_stats');
  });

  it('names both features when two selected views define the same name', async () => {
    const events = join(dir, 'clicks.ndjson');
    writeFileSync(events, '{"ts":"2026-01-01T00:00:00Z","user":"u","page":"p"}\n');
    const code = await run('backfill', '--config', 'test/fixtures/clash.config.ts', '--view', 'by_user,by_page', '--events', events, '--spine', 'events', '--out', join(dir, 'clash.csv'));
    expect(code).toBe(2);
    expect(cli.stderr).toContain("feature 'n' of feature view 'by_page' has the same name as feature 'n' of feature view 'by_user'");
  });

  it('says which project file is missing', async () => {
    expect(await run('backfill', '--config', join(dir, 'missing.config.ts'), '--view', 'v', '--events', csv, '--spine', 'events', '--out', join(dir, 'y.csv'))).toBe(2);
    expect(cli.stderr).toContain('TANDEM_CONFIG_LOAD');
    expect(cli.stderr).toContain('missing.config.ts');
  });
});
