import { TandemError, quote } from '../errors.js';
import type { FieldType } from '../features/schema.js';
import type { Predictor } from './predictor.js';
import type { PredictRequest, Prediction } from './types.js';

/**
 * The Open Inference Protocol (KServe V2) REST mapping onto the predictor: each entity key
 * field and request field is a named input tensor of shape [N] (or [N, 1]), one element per
 * request; the outputs are the score, decision, prediction id, version and fallback per request.
 * https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md
 */
export type Datatype = 'BOOL' | 'INT64' | 'FP64' | 'BYTES';

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
}

export interface ResponseTensor extends TensorMetadata {
  readonly data: readonly (number | string | boolean)[];
}

const DATATYPES: Record<FieldType, Datatype> = { number: 'FP64', timestamp: 'INT64', string: 'BYTES', boolean: 'BOOL' };

const OUTPUTS: readonly TensorMetadata[] = [
  { name: 'score', datatype: 'FP64', shape: [-1] },
  { name: 'decision', datatype: 'BYTES', shape: [-1] },
  { name: 'id', datatype: 'BYTES', shape: [-1] },
  { name: 'version', datatype: 'INT64', shape: [-1] },
  { name: 'fallback', datatype: 'BYTES', shape: [-1] },
];

/** `GET /v2/models/:m`: the model's inputs (keys and request fields) and outputs. */
export function modelMetadata(predictor: Predictor, name: string): { name: string; versions: string[]; platform: string; inputs: TensorMetadata[]; outputs: readonly TensorMetadata[] } {
  const { version, plan } = predictor.describe(name);
  const inputs: TensorMetadata[] = [];
  for (const view of plan.views) {
    for (const key of view.entity.keys) {
      if (inputs.some((i) => i.name === key)) continue;
      inputs.push({ name: key, datatype: DATATYPES[view.source.fields.get(key)?.type ?? 'string'], shape: [-1] });
    }
  }
  for (const [field, spec] of plan.requestFields) if (!inputs.some((i) => i.name === field)) inputs.push({ name: field, datatype: DATATYPES[spec.type], shape: [-1] });
  return { name, versions: [String(version)], platform: 'tandem', inputs, outputs: OUTPUTS };
}

function bad(message: string): TandemError {
  return new TandemError('TANDEM_BAD_REQUEST', message);
}

/** Turns an inference request's input tensors into one prediction request per row. */
export function inferRequests(body: unknown): { id: string | undefined; requests: PredictRequest[]; outputs: string[] | undefined } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad(`an inference request must be a JSON object with 'inputs', got ${quote(body)}`);
  const { id, inputs, outputs, parameters } = body as Record<string, unknown>;
  if (id !== undefined && typeof id !== 'string') throw bad(`field 'id' must be a string, got ${quote(id)}`);
  if (!Array.isArray(inputs) || inputs.length === 0) throw bad(`field 'inputs' must be a non-empty list of tensors { name, shape, datatype, data }, got ${quote(inputs)}`);
  let rows = -1;
  const columns: [string, unknown[]][] = [];
  inputs.forEach((input: unknown, i) => {
    const where = `inputs[${i}]`;
    if (input === null || typeof input !== 'object') throw bad(`field '${where}' must be a tensor object, got ${quote(input)}`);
    const { name, shape, datatype, data } = input as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') throw bad(`field '${where}.name' must be a non-empty string, got ${quote(name)}`);
    if (typeof datatype !== 'string') throw bad(`field '${where}.datatype' (input '${name}') must be a string such as FP64 or BYTES, got ${quote(datatype)}`);
    if (!Array.isArray(shape) || shape.length === 0 || shape.length > 2 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0) || (shape.length === 2 && shape[1] !== 1)) {
      throw bad(`field '${where}.shape' (input '${name}') must be [N] or [N, 1], got ${quote(shape)}`);
    }
    if (!Array.isArray(data)) throw bad(`field '${where}.data' (input '${name}') must be a list, got ${quote(data)}`);
    const flat = data.flat();
    const n = shape[0] as number;
    if (flat.length !== n) throw bad(`field '${where}.data' (input '${name}') has ${flat.length} elements; shape ${quote(shape)} needs ${n}`);
    if (rows >= 0 && n !== rows) throw bad(`field '${where}.shape' (input '${name}') has ${n} rows; earlier inputs have ${rows}`);
    if (columns.some(([other]) => other === name)) throw bad(`field '${where}.name': input '${name}' is given twice`);
    rows = n;
    columns.push([name, flat]);
  });
  const at = parameters !== null && typeof parameters === 'object' ? (parameters as Record<string, unknown>)['at'] : undefined;
  const requests: PredictRequest[] = [];
  for (let r = 0; r < rows; r++) {
    const request: Record<string, unknown> = {};
    for (const [name, values] of columns) request[name] = values[r];
    if (at !== undefined) request['at'] = at;
    if (id !== undefined) request['id'] = rows === 1 ? id : `${id}:${r}`;
    requests.push(request);
  }
  let wanted: string[] | undefined;
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) throw bad(`field 'outputs' must be a list of { name }, got ${quote(outputs)}`);
    wanted = outputs.map((o: unknown, i) => {
      const name = o !== null && typeof o === 'object' ? (o as Record<string, unknown>)['name'] : undefined;
      if (typeof name !== 'string' || !OUTPUTS.some((known) => known.name === name)) {
        throw bad(`field 'outputs[${i}].name' must be one of ${OUTPUTS.map((known) => known.name).join(', ')}, got ${quote(name)}`);
      }
      return name;
    });
  }
  return { id, requests, outputs: wanted };
}

/** The inference response for the predictions of one request, in row order. */
export function inferResponse(name: string, version: number, id: string, predictions: readonly Prediction[], wanted: readonly string[] | undefined): { model_name: string; model_version: string; id: string; outputs: ResponseTensor[] } {
  const n = predictions.length;
  const columns: Record<string, (number | string | boolean)[]> = {
    score: predictions.map((p) => p.score),
    decision: predictions.map((p) => p.decision),
    id: predictions.map((p) => p.id),
    version: predictions.map((p) => p.version ?? -1),
    fallback: predictions.map((p) => (p.fallback === undefined ? '' : `${p.fallback.kind}:${p.fallback.reason}`)),
  };
  const outputs = OUTPUTS.filter((o) => wanted === undefined || wanted.includes(o.name)).map((o) => ({ name: o.name, datatype: o.datatype, shape: [n], data: columns[o.name]! }));
  return { model_name: name, model_version: String(version), id, outputs };
}
