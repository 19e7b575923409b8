import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from './capture-cli.js';
import { generateOrders, ordersCsv } from '../fixtures/orders.js';

const CONFIG = 'test/fixtures/orders.config.ts';
const POSTGRES = process.env['TANDEM_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE = `tandem_test_scores_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'tandem-operations-'));
const events = join(dir, 'orders.csv');
const orders = generateOrders(1_200);
writeFileSync(events, ordersCsv(orders));
const spine = join(dir, 'population.csv');
// Tomorrow's population: every customer, scored as of the end of the month.
writeFileSync(spine, ['customer,ts,amount,country', ...Array.from({ length: 20 }, (_, i) => `c${i},2026-02-01T00:00:00Z,${50 + i},${i % 5 === 0 ? 'BR' : 'NL'}`)].join('\n'));
const dataDir = join(dir, 'state');

const cli = captureCli();
const run = cli.run;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await client.end();
});


describe('operating a model from the command line', () => {
  it('trains the champion', async () => {
    expect(await run('train', '-c', CONFIG, '-m', 'trees', '-e', events, '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/registered\s+trees@1 \(champion\)/);
  });

  it('scores a population as of its times into a file, with the inputs beside the score', async () => {
    const out = join(dir, 'scores.csv');
    expect(await run('score', '-c', CONFIG, '--data-dir', dataDir, '-m', 'trees', '-s', spine, '-e', events, '-o', out, '--with-features')).toBe(0);
    expect(cli.stdout).toMatch(/score: trees@1 scored 20 rows → .*scores\.csv/);
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('customer,ts,amount,country,orders_1h,amount_mean_7d,last_country,amount_ratio,abroad,score');
    expect(rows).toHaveLength(20);
    const scores = rows.map((r) => Number(r.split(',').at(-1)));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  });

  it('scores into a PostgreSQL table', async () => {
    expect(await run('score', '-c', CONFIG, '--data-dir', dataDir, '-m', 'trees@1', '-s', spine, '-e', events, '-o', POSTGRES, '--table', TABLE)).toBe(0);
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string; low: number; high: number }>(`SELECT count(*) AS n, min(score) AS low, max(score) AS high FROM ${TABLE}`);
      expect(Number(rows[0]!.n)).toBe(20);
      expect(rows[0]!.low).toBeGreaterThanOrEqual(0);
      expect(rows[0]!.high).toBeLessThanOrEqual(1);
    } finally {
      await client.end();
    }
  });

  it('lists the jobs and runs the retrain job by hand: the gate keeps a challenger that is no better', async () => {
    expect(await run('jobs', 'list', '-c', CONFIG, '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/^retrain:trees\s+on demand\s+next –\s+never run$/m);
    cli.clear();
    expect(await run('jobs', 'run', 'retrain:trees', '-c', CONFIG, '--data-dir', dataDir, '--json')).toBe(0);
    const runRecord = JSON.parse(cli.stdout) as { status: string; result: { promoted: boolean; champion: number; challenger: number; alias: string; why: string } };
    expect(runRecord.status).toBe('succeeded');
    // Same data, same seed: an identical model, so it does not beat the champion.
    expect(runRecord.result).toMatchObject({ champion: 1, challenger: 2, promoted: false, alias: 'challenger' });
    cli.clear();
    expect(await run('jobs', 'history', 'retrain:trees', '-c', CONFIG, '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/retrain:trees {2}succeeded {2}attempt 1 {2}manual \(tandem jobs run\)/);
    expect(await run('jobs', 'run', 'nope', '-c', CONFIG, '--data-dir', dataDir)).toBe(2);
    expect(cli.stderr).toContain("error [TANDEM_UNKNOWN_JOB]: unknown job 'nope'");
  });

  it('rolls the champion back after a promotion, and refuses when there is nothing to go back to', async () => {
    expect(await run('models', 'alias', 'trees', 'champion', '2', '--data-dir', dataDir)).toBe(0);
    expect(await run('rollback', 'trees', '--data-dir', dataDir)).toBe(0);
    expect(cli.stdout).toMatch(/trees: champion 2 → 1/);
    expect(await run('rollback', 'trees', '--data-dir', dataDir)).toBe(2);
    expect(cli.stderr).toContain("model 'trees' has no earlier champion to roll back to (champion is version 1)");
  });

  it('writes the drift report of current data against the champion’s training profile', async () => {
    const out = join(dir, 'report.html');
    expect(await run('monitor', 'report', '-c', CONFIG, '--data-dir', dataDir, '-m', 'trees', '--current', join(dir, 'scores.csv'), '-o', out)).toBe(0);
    expect(cli.stdout).toMatch(/monitor report: trees@1, 20 current rows: (no )?dataset drift/);
    const html = readFileSync(out, 'utf8');
    for (const feature of ['orders_1h', 'amount_mean_7d', 'last_country', 'amount_ratio', 'abroad', 'prediction']) expect(html).toContain(feature);
  });
});
