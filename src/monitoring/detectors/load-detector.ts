import { TandemError, quote } from '../../errors.js';
import type { JsonValue } from '../../models/artifact.js';
import { fromArtifactParams, parseParams } from '../../models/shared/params.js';
import { Adwin, adwinParamsSchema } from './adwin.js';
import { Ddm, ddmParamsSchema } from './ddm.js';
import type { DriftDetector } from './detector.js';
import type { StateRecord } from './json-state.js';
import { PageHinkley, pageHinkleyParamsSchema } from './page-hinkley.js';

function invalid(message: string): TandemError {
  return new TandemError('TANDEM_INVALID_ARTIFACT', `drift detector JSON: ${message}`);
}

function isRecord(value: unknown): value is StateRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The detector `toJSON` described, in exactly the state it was saved in (parsed JSON or the
 * object itself). Damaged input throws TANDEM_INVALID_ARTIFACT saying which field is wrong.
 */
export function loadDetector(json: JsonValue): DriftDetector {
  if (!isRecord(json)) throw invalid(`expected an object, got ${quote(json)}`);
  if (json['format'] !== 'tandem-drift-detector') throw invalid(`has format ${quote(json['format'])}, expected 'tandem-drift-detector'`);
  if (json['formatVersion'] !== 1) throw invalid(`has format version ${quote(json['formatVersion'])}; this Tandem reads version 1`);
  const { kind, params, state } = json;
  if (!isRecord(params)) throw invalid("has no 'params' object");
  if (!isRecord(state)) throw invalid("has no 'state' object");
  switch (kind) {
    case 'adwin':
      return Adwin.fromState(fromArtifactParams(kind, () => parseParams(kind, adwinParamsSchema, params)), state);
    case 'page-hinkley':
      return PageHinkley.fromState(fromArtifactParams(kind, () => parseParams(kind, pageHinkleyParamsSchema, params)), state);
    case 'ddm':
      return Ddm.fromState(fromArtifactParams(kind, () => parseParams(kind, ddmParamsSchema, params)), state);
    default:
      throw invalid(`unknown kind ${quote(kind)}; known: 'adwin', 'page-hinkley', 'ddm'`);
  }
}
