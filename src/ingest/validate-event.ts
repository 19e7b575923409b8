import type { Field } from '../features/schema.js';
import type { Source } from '../features/source.js';
import { toEventTime } from '../engine/event-time.js';

export type ValidatedEvent = Readonly<Record<string, number | string | boolean | null>>;

export type Validation =
  | { readonly ok: true; readonly event: ValidatedEvent }
  | { readonly ok: false; readonly reason: string; readonly field?: string };

/**
 * Check an incoming event against its source's schema and normalise it: timestamps to epoch
 * milliseconds, numbers and booleans from their text forms (as CSV delivers them). Only the
 * schema's fields are kept, so an unexpected field — personal data included — never reaches
 * the log.
 */
export function validateEvent(source: Source, raw: unknown): Validation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, reason: `an event must be a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}` };
  }
  const input = raw as Record<string, unknown>;
  const event: Record<string, number | string | boolean | null> = {};
  for (const field of source.fields.values()) {
    const value = input[field.name];
    if (value === undefined || value === null || value === '') {
      if (field.nullable) {
        event[field.name] = null;
        continue;
      }
      return { ok: false, field: field.name, reason: `field '${field.name}' is missing` };
    }
    const converted = convert(field, value);
    if (converted === undefined) {
      return { ok: false, field: field.name, reason: `field '${field.name}' is ${describe(value)}, not ${article(field.type)}` };
    }
    event[field.name] = converted;
  }
  return { ok: true, event };
}

function convert(field: Field, value: unknown): number | string | boolean | undefined {
  switch (field.type) {
    case 'timestamp': {
      const text = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
      const t = toEventTime(text);
      return t === t ? t : undefined;
    }
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1 || value === '1') return true;
      if (value === 'false' || value === 0 || value === '0') return false;
      return undefined;
    case 'string':
      return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function article(type: Field['type']): string {
  return type === 'timestamp' ? 'a timestamp (epoch milliseconds or ISO 8601)' : `a ${type}`;
}
