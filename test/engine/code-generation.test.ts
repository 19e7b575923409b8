import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

function digests<T>(fixture: string, flags: readonly string[]): T {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--conditions', 'development', script], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('backfill without code generation', () => {
  it('gives the same bits with --disallow-code-generation-from-strings, interpreting what it would generate', () => {
    const generated = digests<{ single: string; parallel: string }>('backfill-digest.ts', []);
    expect(generated.parallel).toBe(generated.single);
    expect(digests('backfill-digest.ts', ['--disallow-code-generation-from-strings'])).toEqual(generated);
  }, 240_000);
});

describe('stream without code generation', () => {
  it('leaves the same state with --disallow-code-generation-from-strings, applying runs event by event', () => {
    const generated = digests<{ one: string; batched: string }>('stream-digest.ts', []);
    expect(generated.batched).toBe(generated.one);
    expect(digests('stream-digest.ts', ['--disallow-code-generation-from-strings'])).toEqual(generated);
  }, 240_000);
});
