import { TandemError, quote } from '../../errors.js';
import type { JsonValue } from '../../models/artifact.js';
import type { DetectorState } from './detector.js';

/** Readers for a detector's saved state: every failure is TANDEM_INVALID_ARTIFACT naming the detector and the field. */
export type StateRecord = Readonly<Record<string, JsonValue>>;

export function invalidDetectorJson(kind: string, message: string): TandemError {
  return new TandemError('TANDEM_INVALID_ARTIFACT', `${kind} detector state: ${message}`, { details: { detector: kind } });
}

export function finiteAt(kind: string, state: StateRecord, key: string): number {
  const value = state[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidDetectorJson(kind, `'${key}' must be a finite number, got ${quote(value)}`);
  return value;
}

export function countAt(kind: string, state: StateRecord, key: string): number {
  const value = finiteAt(kind, state, key);
  if (!Number.isSafeInteger(value) || value < 0) throw invalidDetectorJson(kind, `'${key}' must be a whole number ≥ 0, got ${quote(value)}`);
  return value;
}

/** A minimum not yet set is saved as null (JSON has no Infinity). */
export function minimumAt(kind: string, state: StateRecord, key: string): number {
  return state[key] === null ? Number.POSITIVE_INFINITY : finiteAt(kind, state, key);
}

export function savedMinimum(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export function detectorStateAt(kind: string, state: StateRecord, allowed: readonly DetectorState[]): DetectorState {
  const value = state['state'];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidDetectorJson(kind, `'state' must be one of ${allowed.map((s) => `'${s}'`).join(', ')}, got ${quote(value)}`);
  }
  return value as DetectorState;
}

/**
 * Stream values are checked as they arrive: one NaN would silently disable a detector for good.
 * Returns the value with -0 as 0: JSON cannot hold -0, and a detector's state must survive
 * `toJSON` exactly.
 */
export function checkFinite(kind: string, x: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new TandemError('TANDEM_INVALID_DATASET', `${kind}: update() needs a finite number, got ${typeof x === 'number' ? String(x) : quote(x)}`, {
      details: { detector: kind, value: x },
    });
  }
  return x + 0;
}
