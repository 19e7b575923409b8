import type { JsonValue } from '../../models/artifact.js';

/**
 * What a detector says after each value: `warning` means a change may be starting (only DDM
 * signals it), `drift` that one was detected on this value.
 */
export type DetectorState = 'stable' | 'warning' | 'drift';

export type DetectorKind = 'adwin' | 'page-hinkley' | 'ddm';

/**
 * A concept-drift detector fed one value of a model's error or loss stream at a time, as River's
 * `drift` detectors are. After a drift each detector starts afresh on the next value (ADWIN keeps
 * the part of its window after the cut); `changes` and `seen` count over its whole life.
 */
export interface DriftDetector {
  readonly name: DetectorKind;
  /** Feeds one value and returns the state it leads to. */
  update(x: number): DetectorState;
  readonly state: DetectorState;
  /** Drifts detected so far. */
  readonly changes: number;
  /** Values fed so far. */
  readonly seen: number;
  /** Back to the state of a new detector with the same parameters. */
  reset(): void;
  /** Parameters and full state; `loadDetector` restores a detector that continues identically. */
  toJSON(): JsonValue;
}

/** The envelope `toJSON` writes (a type, not an interface, so that it is a JsonValue). */
export type DetectorJson = {
  readonly format: 'tandem-drift-detector';
  readonly formatVersion: 1;
  readonly kind: DetectorKind;
  readonly params: { readonly [key: string]: JsonValue };
  readonly state: { readonly [key: string]: JsonValue };
};

export function detectorJson(kind: DetectorKind, params: { readonly [key: string]: JsonValue }, state: { readonly [key: string]: JsonValue }): DetectorJson {
  return { format: 'tandem-drift-detector', formatVersion: 1, kind, params, state };
}
