import type { FeatureView } from '../features/feature-view.js';
import type { Project } from '../features/project.js';
import type { RequestFeatures } from '../features/request-features.js';
import type { Field } from '../features/schema.js';
import type { Source } from '../features/source.js';
import { FALLBACK_REASONS } from '../features/model-serving.js';
import { MAX_TIME } from '../serving/check-request.js';
import type { FeaturePlan } from '../serving/feature-plan.js';
import { packageVersion } from '../training/train.js';

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) or an OpenAPI object: plain JSON. */
type Json = { readonly [key: string]: unknown };

/** What the document is built from: the project, and the plan each served model's champion reads by. */
export interface OpenApiInput {
  readonly project: Project;
  /** Served models: name → the champion's feature plan (its entity keys and request fields). */
  readonly models: ReadonlyMap<string, FeaturePlan>;
}


/** How a time may be given. The server also takes ISO 8601 text without a zone (as UTC); a schema keeps to RFC 3339. */
const TIME_FORMS: readonly Json[] = [
  { type: 'number', minimum: -MAX_TIME, maximum: MAX_TIME, description: 'epoch milliseconds' },
  { type: 'string', format: 'date-time', description: 'RFC 3339 (ISO 8601 without a zone is also taken, as UTC)' },
];
const time = (description: string): Json => ({ description, oneOf: TIME_FORMS });
/** A time that may be left out or null. */
const optionalTime = (description: string): Json => ({ description, oneOf: [...TIME_FORMS, { type: 'null' }] });

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
/** A component name for a project name (component names allow letters, digits, '.', '-', '_'). */
const component = (prefix: string, name: string): string => `${prefix}.${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;

function valueSchema(field: Field): Json {
  const base: Json = field.type === 'timestamp' ? time('a time') : { type: field.type };
  if (!field.nullable) return base;
  return field.type === 'timestamp' ? optionalTime('a time') : { type: [field.type, 'null'] };
}

/** An event of `source` as ingestion takes it (canonical forms; the text forms CSV delivers are also accepted). */
function eventSchema(source: Source): Json {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const field of source.fields.values()) {
    const described = field.pii === undefined ? '' : `personal data: ${field.pii === 'tokenize' ? 'replaced by a keyed hash' : field.pii === 'redact' ? 'redacted' : 'dropped'} before anything is written`;
    // Ingestion reads an empty string as a missing value.
    const empty = field.type === 'string' && !field.nullable ? { minLength: 1 } : {};
    properties[field.name] = { ...valueSchema(field), ...empty, ...(described === '' ? {} : { description: described }) };
    if (!field.nullable) required.push(field.name);
  }
  return {
    type: 'object',
    description:
      `An event of source '${source.name}'${source.description === undefined ? '' : `: ${source.description}`}. Event time: '${source.timestamp}'. ` +
      'Numbers, booleans and timestamps may also come as text (as CSV delivers them), and an empty string counts as missing; fields not in the schema are dropped before the event is written.',
    properties,
    required,
  };
}

const entityKey: Json = { type: ['string', 'number', 'boolean'], description: 'an entity key' };

/** One prediction request for a model read by `plan`: its entity keys and request fields, `id` and `at`. */
function predictRequestSchema(model: string, plan: FeaturePlan): Json {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const key of plan.keyFields) {
    properties[key] = entityKey;
    required.push(key);
  }
  for (const [name, field] of plan.requestFields) {
    if (plan.keyFields.includes(name)) continue;
    properties[name] = { ...valueSchema(field), description: 'a request field' };
    if (!field.nullable) required.push(name);
  }
  properties['id'] = {
    description: 'the request id, echoed in the prediction and joined by feedback; generated when absent',
    oneOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { type: 'number' }, { type: 'null' }],
  };
  properties['at'] = optionalTime('read the features as of this time; default now');
  return { type: 'object', description: `A prediction request for model '${model}'.`, properties, required };
}

/** The body a request-time feature set takes: its request fields and the keys of the views it reads. */
function requestFeaturesSchema(set: RequestFeatures): Json {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const key of new Set(set.views.flatMap((view) => view.entity.keys))) {
    properties[key] = entityKey;
    required.push(key);
  }
  for (const [name, field] of set.requestFields) {
    if (name in properties) continue;
    properties[name] = valueSchema(field);
    if (!field.nullable) required.push(name);
  }
  properties['at'] = optionalTime('compute as of this time; default now');
  return { type: 'object', properties, required };
}

const featureValue: Json = { type: ['number', 'string', 'boolean', 'null'] };
const values = (names: readonly string[]): Json => ({
  type: 'object',
  properties: Object.fromEntries(names.map((name) => [name, featureValue])),
});

const errorResponse = (description: string): Json => ({ description, content: { 'application/json': { schema: ref('Error') } } });
const inferenceError = (description: string): Json => ({ description, content: { 'application/json': { schema: ref('InferenceError') } } });
const json = (description: string, schema: Json): Json => ({ description, content: { 'application/json': { schema } } });
const oneOrMany = (schema: Json): Json => ({ oneOf: [schema, { type: 'array', items: schema }] });

/**
 * An operation with who may call it: with API keys configured, a key with `scope` (or 'admin',
 * see docs/serving.md "API keys"), else 401 or 403; `undefined` for the open endpoints.
 */
function operation(scope: 'ingest' | 'predict' | 'admin' | undefined, fields: Json & { readonly responses: Json }): Json {
  if (scope === undefined) return { ...fields, security: [] };
  return {
    ...fields,
    security: [{ bearer: [scope] }, { apiKey: [scope] }],
    responses: {
      ...fields.responses,
      '401': errorResponse('API keys are configured and none, or an unknown one, was sent'),
      '403': errorResponse(`the key lacks the scope '${scope}'`),
    },
  };
}

/** A path parameter naming one of `names` (any string when there are none to name). */
const pathParameter = (name: string, names: readonly string[]): Json => ({ name, in: 'path', required: true, schema: names.length === 0 ? { type: 'string' } : { enum: names } });

function viewParameters(view: FeatureView): Json[] {
  const keys = view.entity.keys;
  const at = { name: 'at', in: 'query', required: false, description: 'read as of this time (epoch ms or ISO 8601); default now', schema: { type: 'string' } };
  if (keys.length === 1) {
    return [
      { name: 'key', in: 'query', required: false, description: `the entity key (${keys[0]}); repeat for several`, schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true },
      { name: keys[0], in: 'query', required: false, description: "the entity key by its field's name, when 'key' is not given", schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true },
      at,
    ];
  }
  return [
    ...keys.map((key) => ({ name: key, in: 'query', required: true, description: 'one field of the composite key; repeat each field as many times, for several keys', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true })),
    at,
  ];
}

/**
 * The server's HTTP API as an OpenAPI 3.1 document, with a path per source, view, request
 * feature set and served model, so each body names the fields that very endpoint checks: a
 * model's prediction request lists the entity keys and request fields its champion reads.
 * Served at `GET /openapi.json`; clients can be generated from it.
 */
export function openApiDocument(input: OpenApiInput): Json {
  const { project, models } = input;
  const schemas: Record<string, Json> = {
    Error: {
      type: 'object',
      properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
      required: ['error'],
    },
    InferenceError: { type: 'object', description: 'the Open Inference Protocol v2 error', properties: { error: { type: 'string' } }, required: ['error'] },
    Prediction: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        model: { type: 'string' },
        version: { type: ['integer', 'null'], description: 'the registry version that scored; null when a heuristic or default score answered' },
        score: { type: 'number' },
        decision: { type: 'string' },
        rule: { type: ['string', 'null'], description: 'the rule that decided; null when none fired' },
        reasons: { type: 'array', items: { type: 'string' }, description: 'every rule whose condition held, in order' },
        fallback: {
          type: 'object',
          description: 'present when a fallback answered instead of the model',
          properties: { kind: { enum: ['previous-version', 'heuristic', 'default'] }, name: { type: 'string' }, reason: { enum: [...FALLBACK_REASONS] } },
          required: ['kind', 'name', 'reason'],
        },
        variant: { const: 'canary', description: 'present when the canary version answered' },
      },
      required: ['id', 'model', 'version', 'score', 'decision', 'rule', 'reasons'],
    },
    Feedback: {
      type: 'object',
      properties: {
        id: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'number' }], description: 'the id of the prediction' },
        label: { type: ['number', 'boolean'] },
        ts: optionalTime('when the label was known; default now'),
      },
      required: ['id', 'label'],
    },
    FeedbackResult: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        model: { type: 'string' },
        joined: { type: 'boolean', description: 'whether the label met its prediction in memory' },
        learned: { type: 'boolean', description: 'whether an online model learned from it' },
        score: { type: ['number', 'null'] },
        version: { type: ['integer', 'null'] },
      },
      required: ['id', 'model', 'joined', 'learned', 'score', 'version'],
    },
    IngestResult: {
      type: 'object',
      properties: {
        accepted: { type: 'integer' },
        rejected: { type: 'integer', description: 'events sent to the dead letters, with their reason' },
        duplicates: { type: 'integer' },
        offsets: { oneOf: [{ type: 'object', properties: { first: { type: 'integer' }, last: { type: 'integer' } }, required: ['first', 'last'] }, { type: 'null' }] },
        reasons: { type: 'array', items: { type: 'object', properties: { reason: { type: 'string' }, count: { type: 'integer' } }, required: ['reason', 'count'] } },
      },
      required: ['accepted', 'rejected', 'duplicates', 'offsets', 'reasons'],
    },
  };
  const paths: Record<string, Json> = {
    '/healthz': { get: operation(undefined, { summary: 'Liveness', responses: { '200': json('the process is up', { type: 'object', properties: { status: { const: 'ok' } } }) } }) },
    '/readyz': {
      get: operation(undefined, {
        summary: 'Readiness, with the versions served',
        responses: {
          '200': json('ready', {
            type: 'object',
            properties: {
              status: { const: 'ready' },
              models: { type: 'object', additionalProperties: { type: 'integer' }, description: 'the champion version served, by model' },
              unserved: { type: 'array', items: { type: 'string' }, description: 'models without a champion' },
              eventsApplied: { type: 'integer', description: 'events applied to the online state' },
            },
            required: ['status', 'models', 'unserved', 'eventsApplied'],
          }),
          '503': json('shutting down', { type: 'object', properties: { status: { const: 'closing' } } }),
        },
      }),
    },
    '/metrics': { get: operation('admin', { summary: 'Prometheus metrics', responses: { '200': { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } } }) },
    '/openapi.json': { get: operation(undefined, { summary: 'This document', responses: { '200': json('OpenAPI 3.1', { type: 'object' }) } }) },
  };

  for (const source of project.sources.values()) {
    const name = component('Event', source.name);
    schemas[name] = eventSchema(source);
    paths[`/v1/events/${source.name}`] = {
      post: operation('ingest', {
        summary: `Ingest events of '${source.name}'`,
        description: 'Answered once the accepted events are durable in the log. Invalid events go to the dead letters with their reason; they do not fail the request.',
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: oneOrMany(ref(name)) },
            'application/x-ndjson': { schema: { type: 'string', description: 'one event per line; a line that is not JSON is dead-lettered with its number' } },
            'application/ndjson': { schema: { type: 'string', description: 'as application/x-ndjson' } },
          },
        },
        responses: { '200': json('what was accepted, rejected and deduplicated', ref('IngestResult')), '413': errorResponse('the body is over the size limit'), '503': errorResponse('too many ingest requests in progress; retry (Retry-After)') },
      }),
    };
  }

  for (const view of project.views.values()) {
    paths[`/v1/features/${view.name}`] = {
      get: operation('predict', {
        summary: `Read the online features of view '${view.name}'`,
        parameters: viewParameters(view),
        responses: {
          '200': json('the features of each key, as of the time read', {
            type: 'object',
            properties: {
              view: { const: view.name },
              at: { type: 'number' },
              results: {
                type: 'array',
                items: { type: 'object', properties: { key: {}, values: values(view.featureNames), lastEventAt: { type: ['number', 'null'] }, freshnessMs: { type: ['number', 'null'] } } },
              },
            },
          }),
          '400': errorResponse('no key, or a time that is not one'),
        },
      }),
    };
  }

  for (const set of project.requestFeatures.values()) {
    const name = component('RequestFeatures', set.name);
    const result = component('RequestFeaturesResult', set.name);
    schemas[name] = requestFeaturesSchema(set);
    schemas[result] = {
      type: 'object',
      properties: { name: { const: set.name }, results: { type: 'array', items: { type: 'object', properties: { values: values(set.featureNames) }, required: ['values'] } } },
      required: ['name', 'results'],
    };
    paths[`/v1/features/${set.name}`] = {
      post: operation('predict', {
        summary: `Compute the request-time features '${set.name}'`,
        description: 'An array computes each; a bad item fails the whole array, naming it.',
        requestBody: { required: true, content: { 'application/json': { schema: oneOrMany(ref(name)) } } },
        responses: {
          '200': json('the values of each request, computed by the same functions as in backfill', ref(result)),
          '400': errorResponse('a field missing or of the wrong type (the message names it), or a time older than the online state holds'),
        },
      }),
    };
  }

  for (const [model, plan] of models) {
    const name = component('PredictRequest', model);
    schemas[name] = predictRequestSchema(model, plan);
    paths[`/v1/predict/${model}`] = {
      post: operation('predict', {
        summary: `Predict with model '${model}'`,
        description:
          'Online features + request-time features → the champion (or the canary, for its share of entities) → rules. A fallback answers on timeout, ' +
          "overload, an unseen entity or a model error, and says which and why. An array predicts each; a bad item fails the whole array before any is served.",
        requestBody: { required: true, content: { 'application/json': { schema: oneOrMany(ref(name)) } } },
        responses: {
          '200': json('the prediction (an array for an array)', oneOrMany(ref('Prediction'))),
          '400': errorResponse('a field missing or of the wrong type (the message names it), or a time older than the online state holds'),
          '413': errorResponse('the body is over the size limit'),
          '500': errorResponse('the model failed and has no fallback for it'),
          '503': errorResponse('overloaded, or the shared state is unreachable, with no fallback for it'),
        },
      }),
    };
    paths[`/v1/feedback/${model}`] = {
      post: operation('predict', {
        summary: `Label a prediction of model '${model}'`,
        description: 'Joins the label to the logged prediction; online models learn from it; the rolling metrics update.',
        requestBody: { required: true, content: { 'application/json': { schema: oneOrMany(ref('Feedback')) } } },
        responses: { '200': json('what the label joined (an array for an array)', oneOrMany(ref('FeedbackResult'))), '400': errorResponse('a field missing or of the wrong type') },
      }),
    };
  }

  const modelParameter = pathParameter('model', [...models.keys()]);
  paths['/v2/health/live'] = { get: operation(undefined, { summary: 'Open Inference Protocol v2: liveness', responses: { '200': json('live', { type: 'object', properties: { live: { type: 'boolean' } } }) } }) };
  paths['/v2/health/ready'] = {
    get: operation(undefined, { summary: 'Open Inference Protocol v2: readiness', responses: { '200': json('ready', { type: 'object', properties: { ready: { type: 'boolean' } } }), '503': json('shutting down', { type: 'object' }) } }),
  };
  const tensors = { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, datatype: { enum: ['BOOL', 'INT64', 'FP64', 'BYTES'] }, shape: { type: 'array', items: { type: 'integer' } } }, required: ['name', 'datatype', 'shape'] } };
  paths['/v2/models/{model}'] = {
    get: operation('predict', {
      summary: 'Open Inference Protocol v2: model metadata',
      parameters: [modelParameter],
      responses: {
        '200': json('the inputs (entity keys and request fields) and outputs, as tensors', {
          type: 'object',
          properties: { name: { type: 'string' }, versions: { type: 'array', items: { type: 'string' } }, platform: { type: 'string' }, inputs: tensors, outputs: tensors },
          required: ['name', 'versions', 'platform', 'inputs', 'outputs'],
        }),
        '404': inferenceError('unknown model'),
      },
    }),
  };
  paths['/v2/models/{model}/ready'] = { get: operation('predict', { summary: 'Open Inference Protocol v2: model readiness', parameters: [modelParameter], responses: { '200': json('ready', { type: 'object' }), '404': inferenceError('unknown model') } }) };
  paths['/v2/models/{model}/infer'] = {
    post: operation('predict', {
      summary: 'Open Inference Protocol v2: inference',
      description: 'The KServe v2 request and response (inputs as named tensors, one per entity key and request field), onto the same predictor.',
      parameters: [modelParameter],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                parameters: { type: 'object', properties: { at: optionalTime('read the features as of this time; default now') } },
                inputs: {
                  type: 'array',
                  minItems: 1,
                  description: 'one tensor per entity key and request field (GET /v2/models/{model} lists them), one element per request',
                  items: {
                    type: 'object',
                    properties: {
                      name: { type: 'string' },
                      shape: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, maxItems: 2, description: '[N] or [N, 1]' },
                      datatype: { enum: ['BOOL', 'INT64', 'FP64', 'BYTES'] },
                      data: { type: 'array' },
                    },
                    required: ['name', 'shape', 'datatype', 'data'],
                  },
                },
                outputs: { type: 'array', items: { type: 'object', properties: { name: { enum: ['score', 'decision', 'id', 'version', 'fallback'] } }, required: ['name'] }, description: 'the outputs wanted; all when absent' },
              },
              required: ['inputs'],
            },
          },
        },
      },
      responses: {
        '200': json('the outputs: score (FP64), decision (BYTES), id (BYTES), version (INT64; -1 when a heuristic or default answered), fallback (BYTES; kind:reason)', {
          type: 'object',
          properties: {
            model_name: { type: 'string' },
            model_version: { type: 'string' },
            id: { type: 'string' },
            outputs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } }, data: { type: 'array' } }, required: ['name', 'datatype', 'shape', 'data'] } },
          },
          required: ['model_name', 'outputs'],
        }),
        '400': inferenceError('an input missing or malformed'),
        '404': inferenceError('unknown model'),
      },
    }),
  };

  // Operations: monitoring, jobs, the audit log and rollback (admin scope), and the dashboard.
  const projectModel = pathParameter('model', [...project.models.keys()]);
  const jobName = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
  const limit = (most: number, description: string): Json => ({ name: 'limit', in: 'query', required: false, description, schema: { type: 'integer', minimum: 1, maximum: 10_000, default: most } });
  const object = (description: string): Json => json(description, { type: 'object' });
  if (project.models.size > 0) paths['/v1/monitoring'] = { get: operation('admin', { summary: "The dashboard's data: throughput, latency, fallbacks, drift, performance, alerts", responses: { '200': object('the snapshot') } }) };
  paths['/v1/monitoring/{model}/evaluate'] = {
    post: operation('admin', { summary: "Measure the live window's drift now and check the alerts", parameters: [projectModel], responses: { '200': object('the drift per feature'), '404': errorResponse('unknown model') } }),
  };
  paths['/v1/monitoring/{model}/skew'] = {
    post: operation('admin', {
      summary: "Training/serving skew: recent predictions' features recomputed by backfill",
      parameters: [projectModel, { ...limit(200, 'recent predictions to check'), name: 'sample' }],
      responses: { '200': object('the features that differ, with examples'), '400': errorResponse('a sample that is not a whole number in 1..10000'), '404': errorResponse('unknown model') },
    }),
  };
  paths['/v1/audit'] = {
    get: operation('admin', {
      summary: 'The audit log: registrations, alias moves, alerts, actions, gate decisions',
      parameters: [{ name: 'model', in: 'query', required: false, schema: { type: 'string' } }, limit(100, 'the newest entries to return')],
      responses: { '200': json('the entries, newest first', { type: 'object', properties: { entries: { type: 'array' } } }) },
    }),
  };
  paths['/v1/jobs'] = { get: operation('admin', { summary: 'The jobs, with their next runs', responses: { '200': json('the jobs', { type: 'object', properties: { jobs: { type: 'array' } } }) } }) };
  paths['/v1/jobs/{name}/runs'] = {
    get: operation('admin', { summary: "A job's run history", parameters: [jobName, limit(20, 'the newest runs to return')], responses: { '200': json('the runs', { type: 'object', properties: { runs: { type: 'array' } } }), '404': errorResponse('unknown job') } }),
  };
  paths['/v1/jobs/{name}/run'] = {
    post: operation('admin', { summary: 'Run a job now', parameters: [jobName], responses: { '202': object('started; its outcome goes to the run history'), '404': errorResponse('unknown job'), '409': object('already running') } }),
  };
  paths['/v1/models/{model}/rollback'] = {
    post: operation('admin', { summary: 'Point the champion back at the version before, and serve it', parameters: [projectModel], responses: { '200': object('the alias move'), '404': errorResponse('unknown model, or no registry') } }),
  };
  if (project.models.size > 0) paths['/dashboard'] = { get: operation(undefined, { summary: 'The live dashboard (its data comes from /v1/monitoring)', responses: { '200': { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } } } }) };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Tandem',
      version: packageVersion,
      description: 'Events in, features and predictions out: the HTTP API of `tandem serve` for this project.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an API key (`tandem keys create`); needed once the server has any' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
  };
}
