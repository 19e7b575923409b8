import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fixtures/backfill-digest.ts', import.meta.url));

function digests(flags: readonly string[]): { single: string; parallel: string } {
  const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--conditions', 'development', SCRIPT], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { single: string; parallel: string };
}

describe('backfill without code generation', () => {
  it('gives the same bits with --disallow-code-generation-from-strings, interpreting what it would generate', () => {
    const generated = digests([]);
    expect(generated.parallel).toBe(generated.single);
    expect(digests(['--disallow-code-generation-from-strings'])).toEqual(generated);
  }, 240_000);
});
