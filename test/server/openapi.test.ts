import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeOf } from '../../src/server/api-keys.js';
import { history, scorer, served, startServing, T0, type Harness } from '../serving/serving-project.js';

// ajv-formats is CommonJS: its function is the module itself or its default, depending on the loader.
const addFormats = ((typeof formats === 'function' ? formats : (formats as { default: unknown }).default) as typeof formats.default);

let harness: Harness;
let doc: { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };

beforeAll(async () => {
  harness = await startServing(new Map([['fraud', served(scorer(() => 0.2))]]));
  await harness.app.inject({ method: 'POST', url: '/v1/events/orders', payload: history('c1', [20, 30, 40]) });
  await harness.runtime.catchUp();
  const response = await harness.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  doc = response.json();
});
afterAll(() => harness.close());

/** A validator for a schema of the document, its references resolved inside the document. */
function validatorFor(schema: object): ValidateFunction {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, keywords: ['components'] });
  addFormats(ajv, ['date-time']);
  ajv.addSchema({ $id: 'doc', components: doc.components } as object);
  // References in the document are local to it ('#/components/...').
  return ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"doc#/')) as object);
}
const validatorOf = (name: string): ValidateFunction => validatorFor({ $ref: `#/components/schemas/${name}` });

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names an endpoint per source, view, request feature set and served model, each one the server routes', async () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/events/orders', '/v1/features/customer_stats', '/v1/features/order_request', '/v1/predict/fraud', '/v1/feedback/fraud', '/v2/models/{model}/infer']),
    );
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const url = path.replace('{model}', 'fraud').replace('{name}', 'nightly');
        const response = await harness.app.inject({ method: method.toUpperCase() as 'GET' | 'POST', url, ...(method === 'post' ? { payload: {} } : {}) });
        // The router knows it (not fastify's own "route not found"), the status is one the
        // document lists for it, and a JSON body has the shape the document gives that status.
        const where = `${method} ${path} → ${response.statusCode} ${response.body.slice(0, 200)}`;
        const documented = (methods[method] as { responses: Record<string, { content?: Record<string, { schema: object }> }> }).responses[String(response.statusCode)];
        expect(documented, where).toBeDefined();
        const schema = documented!.content?.['application/json']?.schema;
        if (schema !== undefined) {
          const valid = validatorFor(schema);
          expect(valid(response.json()), `${where}: ${JSON.stringify(valid.errors)}`).toBe(true);
        }
      }
    }
  });

  it("describes a model's request by what its champion reads: the entity keys and request fields are required", () => {
    const schema = doc.components.schemas['PredictRequest.fraud'] as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required.sort()).toEqual(['amount', 'country', 'customer']);
    expect(Object.keys(schema.properties).sort()).toEqual(['amount', 'at', 'country', 'customer', 'id']);
  });

  it('is valid, without predict endpoints, while no model has a champion', async () => {
    const empty = await startServing(new Map());
    try {
      const unserved = (await empty.app.inject({ method: 'GET', url: '/openapi.json' })).json() as typeof doc;
      expect((await new Validator().validate(unserved as unknown as Parameters<Validator['validate']>[0])).valid).toBe(true);
      expect(Object.keys(unserved.paths).filter((path) => path.startsWith('/v1/predict/'))).toEqual([]);
      expect(Object.keys(unserved.paths)).toContain('/v1/events/orders');
    } finally {
      await empty.close();
    }
  });

  it('describes the Open Inference Protocol request and answer as the server takes and gives them', async () => {
    const infer = doc.paths['/v2/models/{model}/infer']!['post'] as {
      requestBody: { content: Record<string, { schema: object }> };
      responses: Record<string, { content: Record<string, { schema: object }> }>;
    };
    const body = {
      id: 'batch-1',
      parameters: { at: T0 },
      inputs: [
        { name: 'customer', shape: [2], datatype: 'BYTES', data: ['c1', 'c2'] },
        { name: 'amount', shape: [2, 1], datatype: 'FP64', data: [[60], [5]] },
        { name: 'country', shape: [2], datatype: 'BYTES', data: ['NL', 'BR'] },
      ],
      outputs: [{ name: 'score' }, { name: 'id' }],
    };
    expect(validatorFor(infer.requestBody.content['application/json']!.schema)(body)).toBe(true);
    const response = await harness.app.inject({ method: 'POST', url: '/v2/models/fraud/infer', payload: body });
    expect(response.statusCode, response.body).toBe(200);
    const answer = validatorFor(infer.responses['200']!.content['application/json']!.schema);
    expect(answer(response.json()), JSON.stringify(answer.errors)).toBe(true);
  });

  it('is open with API keys on, like the health endpoints', () => {
    expect(scopeOf('GET', '/openapi.json')).toBeUndefined();
  });
});

/** Values of every kind a client might send for a field. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(''),
  fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constant({ nested: 1 }),
  fc.constant([1]),
);
/** A field left out, or given one of those values. */
const maybe = (values: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.option(values, { nil: undefined, freq: 4 });

/** Mostly a valid value, sometimes any value or none: enough events pass the schema for the property to test. */
const mostly = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: anyValue, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 });

describe('the document agrees with the server', () => {
  /** Requests of the fraud model's shape, each field left out or given a value of any kind. */
  const requests = fc
    .record(
      {
        customer: maybe(fc.oneof(fc.constantFrom('c1', 'c2'), anyValue)),
        amount: maybe(fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), anyValue)),
        country: maybe(fc.oneof(fc.constantFrom('NL', 'BR'), anyValue)),
        id: maybe(fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ minLength: 201, maxLength: 210 }), anyValue)),
        at: maybe(fc.oneof(fc.constant(T0), fc.constant('2026-01-10T00:00:00.000Z'), fc.constant('yesterday'), fc.constant(1e16), anyValue)),
      },
      { requiredKeys: [] },
    )
    .map((body) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)));

  /**
   * Valid by the schema: the server takes the request's shape (it answers, unless the time is
   * older than the online state holds, which no schema can say), and the answer has the shape
   * documented for 200. Invalid: a 400 TANDEM_BAD_REQUEST.
   */
  const agrees = async (url: string, request: string, answer: string): Promise<void> => {
    const valid = validatorOf(request);
    const answered = validatorOf(answer);
    await fc.assert(
      fc.asyncProperty(requests, async (body) => {
        const response = await harness.app.inject({ method: 'POST', url, payload: body });
        const code = response.statusCode === 200 ? undefined : (response.json() as { error: { code: string } }).error.code;
        if (valid(body)) expect([200, 'TANDEM_READ_TOO_OLD']).toContain(code ?? response.statusCode);
        else expect({ status: response.statusCode, code }).toEqual({ status: 400, code: 'TANDEM_BAD_REQUEST' });
        if (response.statusCode === 200) expect(answered(response.json()), JSON.stringify(answered.errors)).toBe(true);
      }),
      { numRuns: 300 },
    );
  };

  it('a prediction request is valid by the schema exactly when the server takes its shape; an invalid one gets a 400 naming the field', async () => {
    await agrees('/v1/predict/fraud', 'PredictRequest.fraud', 'Prediction');
  });

  it('so is a request for request-time features', async () => {
    await agrees('/v1/features/order_request', 'RequestFeatures.order_request', 'RequestFeaturesResult.order_request');
  });

  it('so is a label: feedback valid by the schema is taken, an invalid one gets a 400', async () => {
    const valid = validatorOf('Feedback');
    const answered = validatorOf('FeedbackResult');
    await fc.assert(
      fc.asyncProperty(
        fc
          .record(
            {
              id: maybe(fc.oneof(fc.constantFrom('p1', 'p2'), fc.integer(), anyValue)),
              label: maybe(fc.oneof(fc.constantFrom(0, 1, true, false), anyValue)),
              ts: maybe(fc.oneof(fc.constant(T0), fc.constant('2026-01-10T00:00:00.000Z'), fc.constant(1e16), anyValue)),
            },
            { requiredKeys: [] },
          )
          .map((body) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined))),
        async (body) => {
          const response = await harness.app.inject({ method: 'POST', url: '/v1/feedback/fraud', payload: body });
          const seen = { status: response.statusCode, code: response.statusCode === 200 ? undefined : (response.json() as { error: { code: string } }).error.code };
          expect(seen).toEqual(valid(body) ? { status: 200, code: undefined } : { status: 400, code: 'TANDEM_BAD_REQUEST' });
          if (response.statusCode === 200) expect(answered(response.json()), JSON.stringify(answered.errors)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an event valid by its source schema is accepted (ingestion also takes text forms the schema does not list)', async () => {
    const valid = validatorOf('Event.orders');
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            ts: mostly(fc.constantFrom(T0 + 1, '2026-01-10T00:00:01.000Z')),
            customer: mostly(fc.constantFrom('c3', 'c4')),
            amount: mostly(fc.double({ min: 0, max: 1e6, noNaN: true })),
            country: mostly(fc.constantFrom('NL', 'DE')),
            is_fraud: mostly(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          const event = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
          fc.pre(valid(event));
          const response = await harness.app.inject({ method: 'POST', url: '/v1/events/orders', payload: event });
          expect(response.json()).toMatchObject({ accepted: 1, rejected: 0 });
        },
      ),
      { numRuns: 100 },
    );
  });
});
