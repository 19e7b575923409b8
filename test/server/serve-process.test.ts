import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

describe('tandem serve as a process', () => {
  it('ingests and reads over HTTP, and on SIGINT finishes, applies the log and snapshots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-serve-process-'));
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--conditions', 'development', 'src/cli/bin.ts', 'serve', '--config', 'test/fixtures/payments.config.ts', '--data-dir', dir, '--port', '0'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const lines = createInterface({ input: child.stdout! });
      const output: string[] = [];
      const address = await new Promise<string>((done) =>
        lines.on('line', (line) => {
          output.push(line);
          const match = /listening on (http:\/\/\S+)/.exec(line);
          if (match) done(match[1]!);
        }),
      );
      const now = Date.now();
      const post = await fetch(`${address}/v1/events/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ ts: now - 1_000, card: 'c1', merchant: 'm', amount: 12, country: 'US' }]),
      });
      expect(await post.json()).toMatchObject({ accepted: 1, offsets: { first: 0, last: 0 } });
      let values: unknown;
      for (let tries = 0; tries < 250; tries++) {
        const read = (await (await fetch(`${address}/v1/features/by_card?key=c1`)).json()) as { results: { values: { n_1h: number } }[] };
        values = read.results[0]!.values;
        if (read.results[0]!.values.n_1h === 1) break; // applied by the stream loop within its delay
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(values).toMatchObject({ n_1h: 1, avg_1d: 12 });
      const exited = new Promise<number | null>((done) => child.once('exit', done));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output.join('\n')).toContain('stopped; state snapshotted');
      const snapshot = join(dir, 'snapshot.ndjson');
      expect(existsSync(snapshot)).toBe(true);
      expect(JSON.parse(readFileSync(snapshot, 'utf8').split('\n', 1)[0]!)).toMatchObject({ meta: { offset: 1 } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
