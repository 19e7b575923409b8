import { TandemError, quote } from '../errors.js';
import { toEventTime } from '../engine/event-time.js';
import type { FeaturePlan } from './feature-plan.js';
import type { PredictRequest } from './types.js';

/** The latest (and, negated, the earliest) time in epoch ms a JavaScript Date can hold: times beyond are refused. */
export const MAX_TIME = 8.64e15;

/** Longest request id accepted. */
const MAX_ID_LENGTH = 200;

function bad(where: string, field: string, message: string): TandemError {
  return new TandemError('TANDEM_BAD_REQUEST', `${where}${field === '' ? '' : `field '${field}' `}${message}`, { details: { field } });
}

/**
 * A time a request carries: epoch ms, or ISO 8601 read as event times are (UTC when it names
 * no zone), so that a request and an event given the same text mean the same instant whatever
 * the server's time zone. NaN when it is neither.
 */
export function requestTimeOf(value: unknown): number {
  return typeof value === 'number' || typeof value === 'string' ? toEventTime(value) : Number.NaN;
}

/** The request's read time: `at` as epoch ms or ISO 8601, else now. */
export function requestTime(request: PredictRequest, where = ''): number {
  const at = request['at'];
  if (at === undefined || at === null) return Date.now();
  const t = requestTimeOf(at);
  // Beyond ±8.64e15 ms a Date is invalid, and messages that print the time would throw.
  if (!(Math.abs(t) <= MAX_TIME)) throw bad(where, 'at', `must be a time (epoch ms or ISO 8601), got ${quote(at)}`);
  return t;
}

/** The request's id, or undefined when it has none. */
export function requestId(request: PredictRequest, where = ''): string | undefined {
  const id = request['id'];
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) throw bad(where, 'id', `must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${quote(id)}`);
  return id;
}

/** What a request must carry: the entity keys of the views read, and the request fields of the request-time features. */
export type RequestShape = Pick<FeaturePlan, 'keyFields' | 'requestFields'>;

/**
 * Validates one request against what it is read with (a model's plan for a prediction, a
 * request-time feature set's fields and keys): an object with every entity key field (string,
 * number or boolean) and every request field of its declared type. Errors are 400s naming the
 * field; `where` prefixes them for arrays ('[3] ').
 */
export function checkRequest(plan: RequestShape, body: unknown, where = ''): PredictRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw bad(where, '', `a request must be a JSON object with the entity keys (${plan.keyFields.join(', ') || 'none'}) and request fields, got ${quote(body)}`);
  }
  const request = body as PredictRequest;
  for (const field of plan.keyFields) {
    const value = request[field];
    if (value === undefined || value === null) throw bad(where, field, 'is missing: it is the key of an entity the model reads');
    if (!(typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
      throw bad(where, field, `must be a string, number or boolean key, got ${quote(value)}`);
    }
  }
  for (const [name, field] of plan.requestFields) {
    if (plan.keyFields.includes(name)) continue;
    const value = request[name];
    if (value === undefined || value === null) {
      if (field.nullable) continue;
      throw bad(where, name, `is missing: request features need it (${field.type})`);
    }
    const ok =
      field.type === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : field.type === 'string'
          ? typeof value === 'string'
          : field.type === 'boolean'
            ? typeof value === 'boolean'
            : Math.abs(requestTimeOf(value)) <= MAX_TIME;
    if (!ok) throw bad(where, name, `must be a ${field.type === 'timestamp' ? 'time (epoch ms or ISO 8601)' : field.type}, got ${quote(value)}`);
  }
  requestTime(request, where);
  return request;
}

/** A prediction request: checked as `checkRequest` does, and its `id`, when given, too. */
export function checkPredictRequest(plan: RequestShape, body: unknown, where = ''): PredictRequest {
  const request = checkRequest(plan, body, where);
  requestId(request, where);
  return request;
}
