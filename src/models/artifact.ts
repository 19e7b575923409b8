import { createHash } from 'node:crypto';
import { TandemError } from '../errors.js';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A model's complete, self-describing state. `serializeArtifact` writes it canonically (sorted
 * keys, no whitespace, shortest round-trip numbers), so equal models give byte-equal files and
 * a retrain can be checked for reproducibility by hash.
 */
export interface ModelArtifact {
  readonly format: 'tandem-model';
  readonly formatVersion: 1;
  /** The algorithm, e.g. 'gbdt'; `loadModel` dispatches on it. */
  readonly kind: string;
  /** The algorithm's parameters after defaults were applied. */
  readonly params: { readonly [key: string]: JsonValue };
  /** Input feature names in the order the state refers to them (empty for purely online models that hash names). */
  readonly featureNames: readonly string[];
  /** Learned state; large numeric arrays are encoded with `encodeFloat64` / `encodeInt32`. */
  readonly state: JsonValue;
}

export function artifact(
  kind: string,
  params: { readonly [key: string]: JsonValue },
  featureNames: readonly string[],
  state: JsonValue,
): ModelArtifact {
  return { format: 'tandem-model', formatVersion: 1, kind, params, featureNames: [...featureNames], state };
}

/** Canonical JSON. Non-finite numbers are an error: encode them inside a Float64Array instead. */
export function canonicalJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TandemError('TANDEM_INVALID_ARTIFACT', `artifact holds the non-finite number ${value}; encode it with encodeFloat64`);
      }
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(canonicalJson).join(',')}]`;
  const record = value as { readonly [key: string]: JsonValue };
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key] as JsonValue)}`).join(',')}}`;
}

export function serializeArtifact(model: ModelArtifact): string {
  return canonicalJson(model as unknown as JsonValue);
}

/** Parses and checks the envelope; the kind's loader checks the state. */
export function parseArtifact(text: string): ModelArtifact {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', 'model artifact is not valid JSON', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', 'model artifact is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  if (record['format'] !== 'tandem-model') {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `model artifact has format ${JSON.stringify(record['format'])}, expected 'tandem-model'`);
  }
  if (record['formatVersion'] !== 1) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `model artifact has format version ${JSON.stringify(record['formatVersion'])}; this Tandem reads version 1`);
  }
  if (typeof record['kind'] !== 'string') throw new TandemError('TANDEM_INVALID_ARTIFACT', 'model artifact has no kind');
  if (typeof record['params'] !== 'object' || record['params'] === null || Array.isArray(record['params'])) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', 'model artifact has no params object');
  }
  const names = record['featureNames'];
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', 'model artifact has no featureNames list');
  }
  return record as unknown as ModelArtifact;
}

/** SHA-256 of a serialized artifact, hex: the version's identity for reproducibility checks. */
export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Exact, compact encoding of doubles (NaN and ±Infinity included): base64 of little-endian bytes. */
export function encodeFloat64(values: ArrayLike<number>): string {
  const array = values instanceof Float64Array ? values : Float64Array.from(values);
  return `f64:${bytesOf(array).toString('base64')}`;
}

export function decodeFloat64(text: JsonValue | undefined, what = 'array'): Float64Array {
  const bytes = decodeTagged(text, 'f64', 8, what);
  const out = new Float64Array(bytes.length / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

export function encodeInt32(values: ArrayLike<number>): string {
  const array = values instanceof Int32Array ? values : Int32Array.from(values);
  return `i32:${bytesOf(array).toString('base64')}`;
}

export function decodeInt32(text: JsonValue | undefined, what = 'array'): Int32Array {
  const bytes = decodeTagged(text, 'i32', 4, what);
  const out = new Int32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function bytesOf(array: Float64Array | Int32Array): Buffer {
  const bytes = Buffer.alloc(array.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = array.BYTES_PER_ELEMENT;
  for (let i = 0; i < array.length; i++) {
    if (width === 8) view.setFloat64(i * 8, array[i] as number, true);
    else view.setInt32(i * 4, array[i] as number, true);
  }
  return bytes;
}

function decodeTagged(text: JsonValue | undefined, tag: string, width: number, what: string): Buffer {
  if (typeof text !== 'string' || !text.startsWith(`${tag}:`)) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `model artifact ${what} is not a ${tag}-encoded array`);
  }
  const bytes = Buffer.from(text.slice(tag.length + 1), 'base64');
  if (bytes.length % width !== 0) {
    throw new TandemError('TANDEM_INVALID_ARTIFACT', `model artifact ${what} has ${bytes.length} bytes, not a multiple of ${width}`);
  }
  return bytes;
}
