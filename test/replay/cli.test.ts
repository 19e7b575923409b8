import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureCli } from '../cli/capture-cli.js';
import type { ReplayReport, ReplayResult } from '../../src/replay/types.js';
import { generateOrders, ordersCsv } from '../fixtures/orders.js';

const CONFIG = 'test/replay/replay.config.ts';
const dir = mkdtempSync(join(tmpdir(), 'tandem-replay-'));
const events = join(dir, 'orders.csv');
const orders = generateOrders(1_200);
writeFileSync(events, ordersCsv(orders));
const dataDir = join(dir, 'state');
const FROM = '2026-01-20T00:00:00Z';
const TO = '2026-01-27T00:00:00Z';
const predicted = orders.filter((o) => o.ts >= Date.parse(FROM) && o.ts < Date.parse(TO)).length;

const cli = captureCli();
const run = cli.run;
const replay = (...args: string[]): Promise<number> => run('replay', '-c', CONFIG, '--data-dir', dataDir, '-e', events, ...args);

beforeAll(async () => {
  // fraud@1 (champion) and an identical fraud@2 (challenger); prior@1 has no skill.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  for (const args of [['-m', 'fraud'], ['-m', 'fraud', '--alias', 'challenger'], ['-m', 'prior']]) {
    expect(await run('train', '-c', CONFIG, '-e', events, '--data-dir', dataDir, ...args)).toBe(0);
  }
  vi.restoreAllMocks();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tandem replay', () => {
  it('replays the champion and prints the structured report with --json', async () => {
    expect(await replay('-m', 'fraud', '--from', FROM, '--to', TO, '--json')).toBe(0);
    const report = JSON.parse(cli.stdout) as ReplayReport;
    expect(report).toMatchObject({ model: 'fraud', from: Date.parse(FROM), to: Date.parse(TO), spineSource: 'orders', comparison: null });
    expect(report.events.predicted).toBe(predicted);
    expect(report.versions).toHaveLength(1);
    expect(report.versions[0]).toMatchObject({ label: 'champion', name: 'fraud@1', version: 1, predictions: predicted });
  });

  it('compares a candidate by alias and by version: the same model agrees, the prior loses', async () => {
    expect(await replay('-m', 'fraud', '--candidate', 'fraud@challenger', '--from', FROM, '--to', String(Date.parse(TO)), '--json')).toBe(0);
    const same = JSON.parse(cli.stdout) as ReplayReport;
    expect(same.versions.map((v) => v.name)).toEqual(['fraud@1', 'fraud@2']);
    expect(same.comparison!.agreement).toBe(1);
    cli.clear();
    expect(await replay('-m', 'fraud@1', '--candidate', 'prior@1', '--from', FROM, '--to', TO, '--json')).toBe(0);
    const other = JSON.parse(cli.stdout) as ReplayReport;
    expect(other.versions.map((v) => v.label)).toEqual(['served', 'candidate']);
    expect(other.comparison!.agreement).toBeLessThan(1);
    expect(other.comparison!.winners['rocAuc']).toBe('served');
  });

  it('prints a readable report and writes every predicted event with --out', async () => {
    const out = join(dir, 'replay.ndjson');
    expect(await replay('-m', 'fraud', '--candidate', 'prior@1', '--from', FROM, '--to', TO, '--out', out)).toBe(0);
    expect(cli.stdout).toContain('replay fraud: 2026-01-20T00:00:00.000Z → 2026-01-27T00:00:00.000Z');
    expect(cli.stdout).toMatch(/^ {2}version\s+fraud@1\s+prior@1$/m);
    expect(cli.stdout).toMatch(/^ {2}ROC AUC\s+\d\.\d{4} ◀ better\s+0\.5000$/m);
    expect(cli.stdout).toMatch(/champion vs candidate: same decision on \d+\.\d % of [\d,]+ events/);
    expect(cli.stdout).toContain('largest score differences:');
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as ReplayResult);
    expect(lines).toHaveLength(predicted);
    expect(Object.keys(lines[0]!.predictions)).toEqual(['champion', 'candidate']);
    expect(lines[0]!.predictions['champion']).toMatchObject({ status: 'answered', features: { orders_1h: expect.any(Number) as unknown } });
  });

  it.each([
    [['--from', 'yesterday', '--to', TO], "--from must be a time (ISO 8601 such as 2026-03-01T00:00:00Z, or epoch ms), got 'yesterday'"],
    [['--from', FROM, '--to', '2026-13-45'], "--to must be a time (ISO 8601 such as 2026-03-01T00:00:00Z, or epoch ms), got '2026-13-45'"],
    [['--from', TO, '--to', FROM], `--from ('${TO}') must be before --to ('${FROM}')`],
    [['--from', FROM, '--to', TO, '--candidate', 'prior'], "--candidate must name a version or alias, <model>@<version|alias> (e.g. fraud@challenger or fraud@3), got 'prior'"],
    [['--from', FROM, '--to', TO, '--candidate', 'fraud@9'], "--candidate: no version 'fraud@9' in"],
  ])('refuses %j naming the flag and the value', async (args, message) => {
    expect(await replay('-m', 'fraud', ...args)).toBe(2);
    expect(cli.stderr).toContain(message);
  });

  it('refuses an unknown model and a missing events file', async () => {
    expect(await replay('-m', 'nope', '--from', FROM, '--to', TO)).toBe(2);
    expect(cli.stderr).toContain("--model: unknown model 'nope' (the project defines: fraud, prior)");
    cli.clear();
    expect(await run('replay', '-c', CONFIG, '--data-dir', dataDir, '-m', 'fraud', '--from', FROM, '--to', TO)).toBe(2);
    expect(cli.stderr).toContain("no --events file for source 'orders'");
  });
});
