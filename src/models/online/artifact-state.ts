import type { z } from 'zod';
import { TandemError } from '../../errors.js';
import type { JsonValue, ModelArtifact } from '../artifact.js';
import { parseParams } from '../shared/params.js';

/** Readers for the online models' artifacts: every failure is TANDEM_INVALID_ARTIFACT naming the kind. */
export function invalidArtifact(kind: string, message: string, cause?: unknown): TandemError {
  return new TandemError('TANDEM_INVALID_ARTIFACT', `${kind} artifact: ${message}`, cause === undefined ? {} : { cause });
}

/** The artifact's params checked against the model's schema, and its state object. */
export function openArtifact<S extends z.ZodType>(
  kind: string,
  schema: S,
  model: ModelArtifact,
): { params: z.output<S>; state: Readonly<Record<string, JsonValue>> } {
  if (model.kind !== kind) throw invalidArtifact(kind, `has kind '${model.kind}'`);
  let params: z.output<S>;
  try {
    params = parseParams(kind, schema, model.params);
  } catch (cause) {
    throw invalidArtifact(kind, `bad params (${(cause as Error).message})`, cause);
  }
  const state = model.state;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw invalidArtifact(kind, 'state is not an object');
  return { params, state: state as Readonly<Record<string, JsonValue>> };
}

export function finiteAt(kind: string, record: Readonly<Record<string, JsonValue>>, key: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArtifact(kind, `'${key}' is not a finite number`);
  return value;
}

export function arrayAt(kind: string, record: Readonly<Record<string, JsonValue>>, key: string): readonly JsonValue[] {
  const value = record[key];
  if (!Array.isArray(value)) throw invalidArtifact(kind, `'${key}' is not a list`);
  return value as readonly JsonValue[];
}

/** Label check shared by the binary classifiers: a wrong label would silently train nonsense. */
export function checkBinaryLabel(kind: string, y: number): void {
  if (y !== 0 && y !== 1) {
    throw new TandemError('TANDEM_INVALID_DATASET', `${kind}: label must be 0 or 1, got ${String(y)}`);
  }
}

export function checkSameLength(kind: string, xs: ArrayLike<unknown>, ys: ArrayLike<number>): void {
  if (xs.length !== ys.length) {
    throw new TandemError('TANDEM_INVALID_DATASET', `${kind}: learnMany got ${xs.length} rows but ${ys.length} labels`);
  }
}
