import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TandemError } from '../errors.js';
import type { Source } from '../features/source.js';

export const REDACTED = '[redacted]';
const MIN_KEY_BYTES = 16;

/**
 * Protection of personal data before anything is written: fields tagged `tokenize` become a
 * keyed hash (HMAC-SHA-256 of the value, truncated to 128 bits, base64url), `redact` a fixed
 * marker, `drop` nothing. Equal values give equal tokens under one key — in every field and
 * source — so tokenized fields still work as entity keys, in joins and in distinct counts,
 * while the clear value cannot be recovered without the key.
 */
export class PiiProtector {
  readonly #key: Buffer | undefined;
  /** Recent tokens by value: the same card or device recurs across events, and an HMAC costs microseconds. */
  readonly #cache = new Map<string, string>();

  constructor(key: Buffer | undefined) {
    if (key !== undefined && key.length < MIN_KEY_BYTES) {
      throw new TandemError('TANDEM_USAGE', `the PII key must be at least ${MIN_KEY_BYTES} bytes, got ${key.length}`);
    }
    this.#key = key;
  }

  /**
   * The key from the environment: TANDEM_PII_KEY (hex, or base64), or the file named by
   * TANDEM_PII_KEY_FILE. Never from the project file, which is code that gets shared.
   */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): PiiProtector {
    const inline = env['TANDEM_PII_KEY'];
    const file = env['TANDEM_PII_KEY_FILE'];
    if (inline !== undefined && inline !== '') return new PiiProtector(decodeKey(inline.trim()));
    if (file !== undefined && file !== '') return new PiiProtector(decodeKey(readFileSync(file, 'utf8').trim()));
    return new PiiProtector(undefined);
  }

  /** Fail early when a source tokenizes fields and no key is set. */
  check(source: Source): void {
    if (this.#key !== undefined) return;
    const fields = [...source.fields.values()].filter((f) => f.pii === 'tokenize').map((f) => f.name);
    if (fields.length > 0) {
      throw new TandemError(
        'TANDEM_USAGE',
        `source '${source.name}' tokenizes ${fields.map((f) => `'${f}'`).join(', ')} but no PII key is set; set TANDEM_PII_KEY (32 random bytes in hex) or TANDEM_PII_KEY_FILE`,
      );
    }
  }

  token(value: string | number | boolean): string {
    if (this.#key === undefined) throw new TandemError('TANDEM_USAGE', 'no PII key is set; set TANDEM_PII_KEY or TANDEM_PII_KEY_FILE');
    const input = `${typeof value}:${String(value)}`;
    let token = this.#cache.get(input);
    if (token === undefined) {
      token = `tok_${createHmac('sha256', this.#key).update(input).digest().subarray(0, 16).toString('base64url')}`;
      if (this.#cache.size >= 100_000) this.#cache.clear(); // bounded: start over rather than grow
      this.#cache.set(input, token);
    }
    return token;
  }

  /** A copy of the record with the source's personal fields protected; other fields untouched. */
  protect<T extends Readonly<Record<string, unknown>>>(source: Source, record: T): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const field of source.fields.values()) {
      if (field.pii === undefined || !(field.name in record)) continue;
      out ??= { ...record };
      const value = record[field.name];
      if (field.pii === 'drop') delete out[field.name];
      else if (value === null || value === undefined) continue;
      else if (field.pii === 'redact') out[field.name] = REDACTED;
      else out[field.name] = this.token(typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean));
    }
    return out ?? { ...record };
  }
}

function decodeKey(text: string): Buffer {
  return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}
