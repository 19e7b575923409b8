import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { captureCli } from '../cli/capture-cli.js';
import { askProfile } from '../../src/advise/interactive.js';
import { parseProfile } from '../../src/advise/profile.js';

const dir = mkdtempSync(join(tmpdir(), 'tandem-advise-'));
const profiles = new URL('./profiles/', import.meta.url).pathname;
const cli = captureCli(['advise']);
const run = cli.run;
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** A fake stdin: the lines given, then the end of input. */
function stdinOf(text: string): PassThrough {
  const input = new PassThrough();
  input.end(text);
  return input;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('tandem advise', () => {
  it('reads a profile file and prints the answer, the criteria, the setup and the cost arithmetic', async () => {
    expect(await run('--profile', join(profiles, 'payment-fraud.json'))).toBe(0);
    expect(cli.stdout).toMatch(/^Recommendation: real-time \(score [\d.]+\), about [\d,.]+ a month/);
    expect(cli.stdout).toMatch(/✗ batch: freshness 5s < 1h/);
    expect(cli.stdout).toMatch(/freshness ×3 /);
    expect(cli.stdout).toMatch(/Why real-time \(decided by: freshness, latency/);
    // Replaying its 17 billion events takes about 4 h on one core: kappa comes next.
    expect(cli.stdout).toMatch(/Runners-up\n {2}kappa/);
    expect(cli.stdout).toMatch(/tandem serve --port 8080/);
    expect(cli.stdout).toMatch(/ceil\(\(2,000 \/ 42,470\/s \+ 2,000 \/ 4,240\/s\) \/ \(2 vCPU × 0.7\)\) = 1 machine/);
    expect(cli.stdout).toMatch(/bench:serve — HTTP ingest 84,940 events\/s/);
  });

  it('flags override the file, and --json prints the structured result', async () => {
    expect(await run('--profile', join(profiles, 'payment-fraud.json'), '--freshness', '1d', '--latency', '12h', '--task', 'forecast', '--audit', 'none', '--json', '--price-vcpu-hour', '0.1')).toBe(0);
    const result = JSON.parse(cli.stdout) as { profile: { freshnessMs: number }; recommendation: { architecture: string; prices: { vcpuHour: number }; cost: { total: number } } };
    expect(result.profile.freshnessMs).toBe(86_400_000);
    expect(result.recommendation.architecture).toBe('batch');
    expect(result.recommendation.prices.vcpuHour).toBe(0.1);
  });

  it('prices and sizing can come from the profile file', async () => {
    const file = join(dir, 'priced.json');
    writeFileSync(file, JSON.stringify({ freshness: '1d', latency: '1d', prices: { vcpuHour: 1 }, sizing: { vcpusPerMachine: 4 } }));
    expect(await run('--profile', file, '--json')).toBe(0);
    const { recommendation } = JSON.parse(cli.stdout) as { recommendation: { prices: { vcpuHour: number }; sizing: { vcpusPerMachine: number }; cost: { lines: { item: string; monthly: number }[] } } };
    expect(recommendation.prices.vcpuHour).toBe(1);
    expect(recommendation.sizing.vcpusPerMachine).toBe(4);
    expect(recommendation.cost.lines[0]!.monthly).toBe(4 * 730);
  });

  it('rejects invalid input naming the field and the value', async () => {
    expect(await run('--audit', 'strict')).toBe(2);
    expect(cli.stderr).toMatch(/error \[TANDEM_USAGE\]: profile field 'audit': 'strict' is not valid \(one of none, explainability, regulated\)/);
    cli.clear();
    expect(await run('--events-per-second', 'lots')).toBe(2);
    expect(cli.stderr).toMatch(/--events-per-second must be a non-negative number, got 'lots'/);
    cli.clear();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ prices: { vcpuHour: -1 } }));
    expect(await run('--profile', file)).toBe(2);
    expect(cli.stderr).toMatch(/field 'prices.vcpuHour'/);
  });

  it('--interactive asks on cli.stdout and reads answers from stdin; the end of input takes the defaults', async () => {
    vi.spyOn(process, 'stdin', 'get').mockReturnValue(stdinOf('50ms\n3000\n1000\n2s\n\n\nregulated\n') as unknown as typeof process.stdin);
    expect(await run('--interactive', '--json')).toBe(0);
    expect(cli.stderr).toMatch(/p99 latency a decision needs \(e\.g\. 50ms, 1s, 24h\) \[1s\]: 50ms/);
    expect(cli.stderr).toMatch(/drift expected \(low \/ moderate \/ high\) \[moderate\]: moderate/);
    const { profile, recommendation } = JSON.parse(cli.stdout) as { profile: { latencyMs: number; eventsPerSecond: { peak: number }; audit: string }; recommendation: { architecture: string } };
    expect(profile).toMatchObject({ latencyMs: 50, eventsPerSecond: { peak: 3000, average: 1000 }, audit: 'regulated' });
    expect(recommendation.architecture).toBe('real-time');
  });
});

describe('the interactive questions', () => {
  it('show the defaults in brackets and take them on an empty answer', async () => {
    const output = new Collect();
    const input = await askProfile(stdinOf('\n\n\n1d\n'), output);
    expect(output.text).toMatch(/how stale may features be \(e\.g\. 5s, 1m, 1d\) \[1h\]: 1d/);
    expect(output.text).toMatch(/monthly budget \(a number, or none\) \[none\]: none/);
    const profile = parseProfile(input);
    expect(profile).toMatchObject({ latencyMs: 1000, freshnessMs: 86_400_000, eventsPerSecond: { peak: 100, average: 20 }, budgetPerMonth: null });
  });

  it('with no input at all (a pipe, not a terminal) every answer is the default', async () => {
    const output = new Collect();
    expect(parseProfile(await askProfile(stdinOf(''), output))).toEqual(parseProfile({}));
    expect(output.text.split('\n').filter((l) => l !== '')).toHaveLength(11);
  });

  it('offers values given by flags or a file as the defaults', async () => {
    const output = new Collect();
    const input = await askProfile(stdinOf(''), output, { freshness: '5s', teamSkills: ['streaming', 'sql'] });
    expect(output.text).toMatch(/\[5s\]/);
    expect(output.text).toMatch(/\[streaming,sql\]/);
    expect(parseProfile(input)).toMatchObject({ freshnessMs: 5000, teamSkills: ['streaming', 'sql'] });
  });
});
