import { decodeFloat64, decodeInt32, encodeFloat64, encodeInt32, type JsonValue } from '../artifact.js';
import { invalidArtifact } from './artifact-state.js';

/**
 * Two per-coordinate arrays of a hashed linear model (FTRL's z and n, AdaGrad's w and G) stored
 * sparsely: only buckets some feature touched, so a 2^18-bucket model with 20 features saves a
 * few hundred bytes instead of megabytes. Exact: values are base64 float64.
 */
export function encodeSparse(first: Float64Array, second: Float64Array, names: readonly [string, string]): { [key: string]: JsonValue } {
  const active: number[] = [];
  for (let i = 0; i < first.length; i++) {
    if (first[i] !== 0 || second[i] !== 0) active.push(i);
  }
  return {
    indices: encodeInt32(active),
    [names[0]]: encodeFloat64(active.map((i) => first[i] as number)),
    [names[1]]: encodeFloat64(active.map((i) => second[i] as number)),
  };
}

export function decodeSparse(
  kind: string,
  state: Readonly<Record<string, JsonValue>>,
  size: number,
  names: readonly [string, string],
): [Float64Array, Float64Array] {
  const indices = decodeInt32(state['indices'], `${kind} indices`);
  const firstValues = decodeFloat64(state[names[0]], `${kind} ${names[0]}`);
  const secondValues = decodeFloat64(state[names[1]], `${kind} ${names[1]}`);
  if (firstValues.length !== indices.length || secondValues.length !== indices.length) {
    throw invalidArtifact(kind, `${indices.length} indices but ${firstValues.length} ${names[0]} and ${secondValues.length} ${names[1]}`);
  }
  const first = new Float64Array(size);
  const second = new Float64Array(size);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    if (i < 0 || i >= size) throw invalidArtifact(kind, `index ${i} is outside the ${size} buckets`);
    first[i] = firstValues[k] as number;
    second[i] = secondValues[k] as number;
  }
  return [first, second];
}
