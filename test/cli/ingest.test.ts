import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { decodeLoggedEvent } from '../../src/ingest/index.js';
import { FileEventLog } from '../../src/log/index.js';

const FRAUD = 'examples/fraud/tandem.config.ts';
const SECRET = 'SECRET-DEVICE-4242';
const dir = mkdtempSync(join(tmpdir(), 'tandem-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = stderr = '';
  vi.stubEnv('TANDEM_PII_KEY', '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('tandem ingest', () => {
  it('appends valid events, dead-letters the rest with reasons, and writes no personal data in clear', async () => {
    const csv = join(dir, 'tx.csv');
    writeFileSync(
      csv,
      [
        'ts,tx_id,card,merchant,amount,country,device',
        `2026-01-01T00:00:00Z,t1,c1,m1,12.5,US,${SECRET}`,
        `2026-01-01T00:01:00Z,t2,c1,m2,abc,US,${SECRET}`, // bad amount
        `not-a-time,t3,c2,m1,3,GB,${SECRET}`, // bad time
        `2026-01-01T00:02:00Z,t4,c2,m1,7,GB,${SECRET}`,
      ].join('\n'),
    );
    const data = join(dir, 'data');
    const code = await main(['node', 'tandem', 'ingest', csv, '--source', 'transactions', '--config', FRAUD, '--data-dir', data]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/ingest: 4 events from .* 2 accepted → .*events \(offsets 0–1\), 2 rejected → .*dead-letters/);
    expect(stdout).toContain(`field 'amount' is "abc", not a number`);

    const log = await FileEventLog.open(join(data, 'events'));
    const events = (await log.read(0)).map((r) => decodeLoggedEvent(r.payload, r.offset));
    await log.close();
    expect(events.map((e) => e.event['tx_id'])).toEqual(['t1', 't4']);
    expect(events[0]!.event['device']).toMatch(/^tok_/);
    expect(events[0]!.event['device']).toBe(events[1]!.event['device']); // equal values, equal tokens

    stdout = '';
    expect(await main(['node', 'tandem', 'dead-letters', '--data-dir', data])).toBe(0);
    const letters = stdout.trim().split('\n').map((line) => JSON.parse(line) as { reason: string; payload: Record<string, unknown> });
    expect(letters.map((l) => l.reason)).toEqual([`field 'amount' is "abc", not a number`, `field 'ts' is "not-a-time", not a timestamp (epoch milliseconds or ISO 8601)`]);
    expect(letters[0]!.payload['tx_id']).toBe('t2'); // the original payload is kept…
    expect(letters[0]!.payload['device']).toMatch(/^tok_/); // …with its personal data protected

    for (const file of filesUnder(data)) expect(readFileSync(file).includes(SECRET), file).toBe(false);
  });

  it('refuses a tokenizing source without a PII key, before writing anything', async () => {
    vi.stubEnv('TANDEM_PII_KEY', '');
    const code = await main(['node', 'tandem', 'ingest', join(dir, 'tx.csv'), '--source', 'transactions', '--config', FRAUD, '--data-dir', join(dir, 'nokey')]);
    expect(code).toBe(2);
    expect(stderr).toContain("source 'transactions' tokenizes 'device' but no PII key is set");
    expect(() => statSync(join(dir, 'nokey'))).toThrow(); // nothing was created
  });
});
