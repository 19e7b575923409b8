import { TandemError, quote } from '../errors.js';
import { hashValue } from './hash.js';
import type { SlotPlan, SlotTransform } from './plan.js';

/**
 * Turning a feature's input value into what its slot stores. Shared by both drivers, so a
 * function of the event means the same thing in backfill and in the stream.
 */

function describe(slot: SlotPlan): string {
  return typeof slot.input === 'string' ? `field '${slot.input}'` : `the function of feature '${slot.label}'`;
}

export function toNumber(value: unknown, slot: SlotPlan): number {
  if (typeof value === 'number') return value; // NaN stays NaN: a missing value
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new TandemError(
    'TANDEM_FEATURE_VALUE',
    `${describe(slot)} gave ${quote(value)}; numeric aggregations need a number, a boolean or null`,
    { details: { input: slot.label, value } },
  );
}

export function toPresence(value: unknown): number {
  return value === null || value === undefined || (typeof value === 'number' && value !== value) ? NaN : 1;
}

export function toHash(value: unknown, slot: SlotPlan): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'number') return value !== value ? NaN : hashValue(value);
  if (typeof value === 'string' || typeof value === 'boolean') return hashValue(value);
  throw new TandemError(
    'TANDEM_FEATURE_VALUE',
    `${describe(slot)} gave ${quote(value)}; approxDistinct counts numbers, strings or booleans`,
    { details: { input: slot.label, value } },
  );
}

export function toRaw(value: unknown): unknown {
  if (value === undefined || (typeof value === 'number' && value !== value)) return null;
  return value;
}

/** The transform of a slot as a number (for Float64 storage). */
export function toStored(transform: Exclude<SlotTransform, 'raw'>, value: unknown, slot: SlotPlan): number {
  switch (transform) {
    case 'number':
      return toNumber(value, slot);
    case 'presence':
      return toPresence(value);
    case 'hash':
      return toHash(value, slot);
  }
}

/** The input's value for one event object. */
export function inputValue(slot: SlotPlan, event: Readonly<Record<string, unknown>>): unknown {
  const input = slot.input;
  return typeof input === 'string' ? event[input] : callInput(slot, input, event);
}

/**
 * A feature function's value for one event. What it throws becomes a TANDEM_FEATURE_VALUE
 * error naming the feature: the stream rejects that event to the dead letters, as it does a
 * value of the wrong type, instead of stopping on it; backfill names the event's row.
 */
export function callInput(slot: SlotPlan, fn: (event: Readonly<Record<string, unknown>>) => unknown, event: Readonly<Record<string, unknown>>): unknown {
  try {
    return fn(event);
  } catch (error) {
    if (error instanceof TandemError) throw error;
    throw new TandemError('TANDEM_FEATURE_VALUE', `${describe(slot)} threw: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      details: { input: slot.label },
    });
  }
}
