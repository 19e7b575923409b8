import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { source } from '../../src/index.js';
import { PiiProtector, REDACTED } from '../../src/ingest/index.js';

const KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const signups = source('signups', {
  timestamp: 'ts',
  schema: {
    ts: 'timestamp',
    email: { type: 'string', pii: 'tokenize' },
    name: { type: 'string', pii: 'redact' },
    phone: { type: 'string', pii: 'drop', nullable: true },
    plan: 'string',
  },
});

describe('PiiProtector', () => {
  it('tokenizes, redacts and drops as each field says, and leaves the rest alone', () => {
    const pii = PiiProtector.fromEnvironment({ TANDEM_PII_KEY: KEY });
    const out = pii.protect(signups, { ts: 1, email: 'ann@example.com', name: 'Ann', phone: '555-0100', plan: 'pro' });
    expect(out).toEqual({ ts: 1, email: expect.stringMatching(/^tok_[A-Za-z0-9_-]{22}$/), name: REDACTED, plan: 'pro' });
    expect(JSON.stringify(out)).not.toContain('ann@example.com');
  });

  it('gives equal tokens to equal values under one key, and different ones under another', () => {
    const a = PiiProtector.fromEnvironment({ TANDEM_PII_KEY: KEY });
    const b = PiiProtector.fromEnvironment({ TANDEM_PII_KEY: KEY.replace('00', 'ff') });
    expect(a.token('ann@example.com')).toBe(a.token('ann@example.com'));
    expect(a.token('ann@example.com')).not.toBe(a.token('bob@example.com'));
    expect(a.token('ann@example.com')).not.toBe(b.token('ann@example.com'));
    expect(a.token(1)).not.toBe(a.token('1'));
  });

  it('reads the key from a file, and refuses short keys and tokenizing sources without a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-pii-'));
    try {
      writeFileSync(join(dir, 'key'), `${Buffer.from(KEY, 'hex').toString('base64')}\n`);
      const fromFile = PiiProtector.fromEnvironment({ TANDEM_PII_KEY_FILE: join(dir, 'key') });
      expect(fromFile.token('x')).toBe(PiiProtector.fromEnvironment({ TANDEM_PII_KEY: KEY }).token('x'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => PiiProtector.fromEnvironment({ TANDEM_PII_KEY: 'abcd' })).toThrow('at least 16 bytes');
    expect(() => PiiProtector.fromEnvironment({}).check(signups)).toThrow("source 'signups' tokenizes 'email' but no PII key is set");
  });
});
