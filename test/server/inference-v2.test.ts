import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/models/model.js';
import { history, scorer, served, startServing, T0, type Harness } from '../serving/serving-project.js';

let harness: Harness;
beforeAll(async () => {
  const champion = scorer((row: Row) => (row['orders_1h'] as number) / 10);
  harness = await startServing(new Map([['fraud', served(champion, scorer(() => 0.42))]]));
  await harness.app.inject({ method: 'POST', url: '/v1/events/orders', payload: history('c1', [20, 30, 40]) });
  await harness.runtime.catchUp();
});
afterAll(() => harness.close());

const get = async (url: string) => {
  const response = await harness.app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
};
const infer = async (model: string, payload: unknown, headers: Record<string, string> = {}) => {
  const response = await harness.app.inject({ method: 'POST', url: `/v2/models/${model}/infer`, payload: payload as string, headers });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
};
const tensor = (name: string, datatype: string, data: unknown[]) => ({ name, datatype, shape: [data.length], data });

describe('the Open Inference Protocol v2 endpoints', () => {
  it('answers health, server and model metadata', async () => {
    expect(await get('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
    expect(await get('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
    expect((await get('/v2')).body).toEqual({ name: 'tandem', version: '2', extensions: [] });
    expect(await get('/v2/models/fraud/ready')).toEqual({ status: 200, body: { name: 'fraud', ready: true } });
    const metadata = await get('/v2/models/fraud');
    expect(metadata.body).toEqual({
      name: 'fraud',
      versions: ['3'],
      platform: 'tandem',
      inputs: [
        { name: 'customer', datatype: 'BYTES', shape: [-1] },
        { name: 'amount', datatype: 'FP64', shape: [-1] },
        { name: 'country', datatype: 'BYTES', shape: [-1] },
      ],
      outputs: expect.arrayContaining([{ name: 'score', datatype: 'FP64', shape: [-1] }]),
    });
    expect(await get('/v2/models/nope/ready')).toEqual({ status: 404, body: { error: "unknown model 'nope' (served: fraud)" } });
    expect((await get('/v2/models/fraud/versions/3')).body).toMatchObject({ name: 'fraud', versions: ['3'] });
    expect(await get('/v2/models/fraud/versions/2/ready')).toEqual({
      status: 404,
      body: { error: "model 'fraud' serves version 3, not '2' (versions are served by moving the champion alias)" },
    });
  });

  it('infers a batch given as named tensors, one row per request, with fallbacks per row', async () => {
    const { status, body } = await infer('fraud', {
      id: 'batch-1',
      parameters: { at: T0 },
      inputs: [tensor('customer', 'BYTES', ['c1', 'stranger']), tensor('amount', 'FP64', [60, 10]), { name: 'country', datatype: 'BYTES', shape: [2, 1], data: [['NL'], ['BR']] }],
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      model_name: 'fraud',
      model_version: '3',
      id: 'batch-1',
      outputs: [
        { name: 'score', datatype: 'FP64', shape: [2], data: [0.3, 0.7] },
        { name: 'decision', datatype: 'BYTES', shape: [2], data: ['allow', 'review'] },
        { name: 'id', datatype: 'BYTES', shape: [2], data: ['batch-1:0', 'batch-1:1'] },
        { name: 'version', datatype: 'INT64', shape: [2], data: [3, -1] },
        { name: 'fallback', datatype: 'BYTES', shape: [2], data: ['', 'heuristic:missing-features'] },
      ],
    });
    const pinned = await harness.app.inject({ method: 'POST', url: '/v2/models/fraud/versions/3/infer', payload: { inputs: [tensor('customer', 'BYTES', ['c1']), tensor('amount', 'FP64', [60]), tensor('country', 'BYTES', ['NL'])], parameters: { at: T0 } } });
    expect(pinned.json()).toMatchObject({ model_version: '3', outputs: expect.arrayContaining([expect.objectContaining({ name: 'score', data: [0.3] })]) });
    const scoreOnly = await infer('fraud', { inputs: [tensor('customer', 'BYTES', ['c1']), tensor('amount', 'FP64', [60]), tensor('country', 'BYTES', ['NL'])], parameters: { at: T0 }, outputs: [{ name: 'score' }] });
    expect(scoreOnly.body['outputs']).toEqual([{ name: 'score', datatype: 'FP64', shape: [1], data: [0.3] }]);
  });

  it('answers malformed requests with 4xx and { error } naming the field', async () => {
    expect(await infer('fraud', '{"inputs": [', { 'content-type': 'application/json' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('JSON') } });
    expect(await infer('fraud', { inputs: [] })).toEqual({ status: 400, body: { error: `field 'inputs' must be a non-empty list of tensors { name, shape, datatype, data }, got []` } });
    expect(await infer('fraud', { inputs: [{ name: 'customer', datatype: 'BYTES', shape: [2], data: ['c1'] }] })).toEqual({
      status: 400,
      body: { error: `field 'inputs[0].data' (input 'customer') has 1 elements; shape [2] needs 2` },
    });
    expect(await infer('fraud', { inputs: [tensor('customer', 'BYTES', ['c1']), tensor('amount', 'FP64', ['x']), tensor('country', 'BYTES', ['NL'])] })).toEqual({
      status: 400,
      body: { error: `row 0: field 'amount' must be a number, got 'x'` },
    });
    expect(await infer('nope', { inputs: [tensor('customer', 'BYTES', ['c1'])] })).toEqual({ status: 404, body: { error: "unknown model 'nope' (served: fraud)" } });
  });
});
