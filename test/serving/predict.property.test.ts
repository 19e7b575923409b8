import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/models/model.js';
import { history, scorer, served, startServing, T0, type Harness } from './serving-project.js';

let harness: Harness;
beforeAll(async () => {
  // A champion that fails on odd inputs, so the fuzzing reaches the fallback chain too.
  const champion = scorer((row: Row) => {
    if (row['last_country'] === null) throw new Error('no country');
    return (row['orders_1h'] as number) / 10;
  });
  harness = await startServing(new Map([['fraud', served(champion, scorer(() => 0.42))]]));
  await harness.app.inject({ method: 'POST', url: '/v1/events/orders', payload: history('c1', [20, 30, 40]) });
  await harness.runtime.catchUp();
});
afterAll(() => harness.close());

const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant('c1'), fc.constant('NL'), fc.constant(T0));
const field = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), scalar, { maxKeys: 3 }));
/** Mostly-plausible requests with some fields dropped, mistyped or added. */
const request = fc.record(
  {
    customer: fc.oneof({ arbitrary: fc.constantFrom('c1', 'c2', 'stranger'), weight: 6 }, { arbitrary: field, weight: 1 }),
    amount: fc.oneof({ arbitrary: fc.integer({ min: -5, max: 500 }), weight: 6 }, { arbitrary: fc.double(), weight: 1 }, { arbitrary: field, weight: 1 }),
    country: fc.oneof({ arbitrary: fc.constantFrom('NL', 'BR'), weight: 6 }, { arbitrary: field, weight: 1 }),
    at: fc.oneof({ arbitrary: fc.constantFrom(T0, T0 + 1, new Date(T0).toISOString()), weight: 6 }, { arbitrary: fc.constantFrom(-1e300, 1e300, -8.64e15, 0), weight: 1 }, { arbitrary: field, weight: 1 }),
    id: field,
    extra: field,
  },
  { requiredKeys: ['customer', 'amount', 'country', 'at'] },
);
const body = fc.oneof(request, fc.array(request, { maxLength: 4 }), fc.anything({ maxDepth: 3 }));

describe('fuzzed prediction requests', () => {
  it('never crash the server and never answer 5xx for a model with a fallback', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const response = await harness.app.inject({ method: 'POST', url: '/v1/predict/fraud', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) ?? 'null' });
        expect(response.statusCode, `${JSON.stringify(payload)} → ${response.body}`).toBeLessThan(500);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        const answer = response.json() as unknown;
        if (response.statusCode === 200) {
          for (const p of Array.isArray(answer) ? answer : [answer]) expect(Number.isFinite((p as { score: number }).score)).toBe(true);
        } else {
          expect(answer).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        }
      }),
      { numRuns: 300 },
    );
    // The fuzzing reached the model, the fallback chain and validation alike.
    expect(statuses.get(200)).toBeGreaterThan(20);
    expect(statuses.get(400)).toBeGreaterThan(10);
    expect(harness.runtime.metrics.render()).toMatch(/tandem_fallbacks_total\{model="fraud",kind="heuristic",reason="missing-features"\} [1-9]/);
    expect((await harness.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('never crash on bodies that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        const response = await harness.app.inject({ method: 'POST', url: '/v1/predict/fraud', headers: { 'content-type': 'application/json' }, payload: text });
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });

  it('never answer 5xx on the feedback and Open Inference Protocol endpoints either', async () => {
    const tensor = fc.record({ name: fc.constantFrom('customer', 'amount', 'country', 'x'), datatype: fc.constantFrom('BYTES', 'FP64', 'BOOL', 7), shape: fc.oneof(fc.constant([1]), fc.constant([2, 1]), field), data: fc.oneof(fc.array(scalar, { maxLength: 2 }), field) }, { requiredKeys: [] });
    const infer = fc.record({ id: field, inputs: fc.oneof(fc.array(tensor, { maxLength: 4 }), field), outputs: fc.oneof(fc.constant([{ name: 'score' }]), field), parameters: fc.oneof(fc.constant({ at: T0 }), field) }, { requiredKeys: [] });
    const feedback = fc.record({ id: field, label: fc.oneof(fc.boolean(), fc.integer(), field), ts: field }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.oneof(infer, fc.anything({ maxDepth: 2 })), fc.oneof(feedback, fc.array(feedback, { maxLength: 3 }), fc.anything({ maxDepth: 2 })), async (inferBody, feedbackBody) => {
        const v2 = await harness.app.inject({ method: 'POST', url: '/v2/models/fraud/infer', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(inferBody) ?? 'null' });
        expect(v2.statusCode, `${JSON.stringify(inferBody)} → ${v2.body}`).toBeLessThan(500);
        const labels = await harness.app.inject({ method: 'POST', url: '/v1/feedback/fraud', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(feedbackBody) ?? 'null' });
        expect(labels.statusCode, `${JSON.stringify(feedbackBody)} → ${labels.body}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});
