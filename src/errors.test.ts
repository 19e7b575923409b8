import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, TandemError } from './errors.js';

describe('error codes', () => {
  it('are documented in docs/errors.md with the same status and meaning', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const rows = new Map(
      [...doc.matchAll(/^\| (TANDEM_\w+) \| (\d+) \| (.+) \|$/gm)].map((m) => [m[1], { status: Number(m[2]), meaning: m[3] }]),
    );
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, entry] of Object.entries(ERROR_CODES)) expect(rows.get(code)).toEqual(entry);
  });

  it('carry their code, status and cause', () => {
    const cause = new Error('disk full');
    const error = new TandemError('TANDEM_FILE_FORMAT', "events.csv: cannot be parsed", { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('TANDEM_FILE_FORMAT');
    expect(error.status).toBe(400);
    expect(error.cause).toBe(cause);
  });
});
