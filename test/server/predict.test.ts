import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Row } from '../../src/models/model.js';
import type { Prediction } from '../../src/serving/types.js';
import { history, scorer, served, startServing, T0, type Harness } from '../serving/serving-project.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** The champion scores the share of orders in the last hour; the previous version answers 0.42. */
const byOrders = scorer((row: Row) => Math.min(1, (row['orders_1h'] as number) / 10));
const previous = scorer(() => 0.42);

async function start(champion = byOrders, extra: Record<string, ReturnType<typeof served>> = {}): Promise<Harness> {
  harness = await startServing(new Map([['fraud', served(champion, previous)], ['bare', served(champion)], ...Object.entries(extra)]));
  await harness.app.inject({ method: 'POST', url: '/v1/events/orders', payload: [...history('c1', [20, 30, 40]), ...history('c9', Array(10).fill(50))].sort((a, b) => (a['ts'] as number) - (b['ts'] as number)) });
  await harness.runtime.catchUp();
  return harness;
}

async function predict(model: string, payload: unknown): Promise<{ status: number; body: Prediction & { error?: { code: string; message: string } } }> {
  const response = await harness!.app.inject({ method: 'POST', url: `/v1/predict/${model}`, payload: payload as object });
  return { status: response.statusCode, body: response.json() };
}

const request = (customer: string, extra: Record<string, unknown> = {}) => ({ customer, amount: 60, country: 'NL', at: T0, ...extra });

describe('POST /v1/predict/:model', () => {
  it('reads the entity once, computes request-time features, scores with the champion and applies the rules', async () => {
    const seen: Row[] = [];
    await start(scorer((row) => (seen.push(row), (row['orders_1h'] as number) / 10)));
    const { status, body } = await predict('fraud', request('c1', { id: 'order-1' }));
    expect(status).toBe(200);
    expect(body).toEqual({ id: 'order-1', model: 'fraud', version: 3, score: 0.3, decision: 'allow', rule: null, reasons: [] });
    // Inputs in model order, with the request-time features computed from the request and the view.
    expect(Object.keys(seen[0]!)).toEqual(['orders_1h', 'amount_mean_7d', 'last_country', 'amount_ratio', 'abroad', 'exploding']);
    expect(seen[0]).toEqual({ orders_1h: 3, amount_mean_7d: 30, last_country: 'NL', amount_ratio: 2, abroad: false, exploding: 0 });
  });

  it('generates a request id when none is given, and predicts an array in order', async () => {
    await start();
    const { body } = await predict('fraud', request('c1'));
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    const many = await harness!.app.inject({ method: 'POST', url: '/v1/predict/fraud', payload: [request('c1', { id: 'a' }), request('c9', { id: 'b' })] });
    expect(many.statusCode).toBe(200);
    expect((many.json() as Prediction[]).map((p) => [p.id, p.score])).toEqual([['a', 0.3], ['b', 1]]);
  });

  it('fires rules in order: the first that holds decides, and every rule that held is reported', async () => {
    await start(scorer((row) => (row['amount_ratio'] as number) / 10));
    const high = await predict('fraud', request('c1', { amount: 300, country: 'BR' }));
    expect(high.body).toMatchObject({ score: 1, decision: 'block', rule: 'block-high', reasons: ['block-high', 'review-mid', 'review-abroad'] });
    const mid = await predict('fraud', request('c1', { amount: 180 }));
    expect(mid.body).toMatchObject({ score: 0.6, decision: 'review', rule: 'review-mid', reasons: ['review-mid'] });
    const abroad = await predict('fraud', request('c1', { amount: 30, country: 'DE' }));
    expect(abroad.body).toMatchObject({ score: 0.1, decision: 'review', rule: 'review-abroad' });
    const low = await predict('fraud', request('c1', { amount: 30 }));
    expect(low.body).toMatchObject({ decision: 'allow', rule: null, reasons: [] });
  });

  it('answers an entity it has never seen with the fallback that covers it, and says why', async () => {
    await start();
    const { status, body } = await predict('fraud', request('stranger', { country: 'BR' }));
    expect(status).toBe(200);
    // The previous version lacks the same features, so the heuristic is the first step that applies.
    expect(body).toMatchObject({ version: null, score: 0.7, fallback: { kind: 'heuristic', name: 'abroad', reason: 'missing-features' }, decision: 'review' });
    // A model without a fallback scores the unseen entity's empty features.
    const bare = await predict('bare', request('stranger'));
    expect(bare.body).toMatchObject({ version: 3, score: 0 });
    expect(bare.body.fallback).toBeUndefined();
  });

  it('answers by fallback within the budget when an asynchronous model is slow', async () => {
    await start(scorer(() => sleep(500).then(() => 0.99)));
    const started = performance.now();
    const { status, body } = await predict('fraud', request('c1'));
    const elapsed = performance.now() - started;
    expect(status).toBe(200);
    expect(body).toMatchObject({ version: 2, score: 0.42, fallback: { kind: 'previous-version', reason: 'timeout' } });
    expect(elapsed).toBeLessThan(400);
  });

  it('answers by fallback when a synchronous model returns after its budget, since it cannot be interrupted', async () => {
    await start(scorer(() => (busy(40), 0.99)));
    const { body } = await predict('fraud', request('c1'));
    expect(body).toMatchObject({ version: 2, score: 0.42, fallback: { kind: 'previous-version', reason: 'timeout' } });
  });

  it('answers by fallback when the model throws, and 500 only for a model with no fallback', async () => {
    const failing = scorer(() => {
      throw new Error('weights missing');
    });
    await start(failing);
    const { status, body } = await predict('fraud', request('c1'));
    expect(status).toBe(200);
    expect(body.fallback).toEqual({ kind: 'previous-version', name: 'previous-version', reason: 'model-error' });
    const bare = await predict('bare', request('c1'));
    expect(bare.status).toBe(500);
    expect(bare.body.error?.message).toMatch(/model 'bare' version 3 failed \(model-error: weights missing\) and has no fallback/);
  });

  it('answers by fallback when a request-time feature throws', async () => {
    await start();
    const { status, body } = await predict('fraud', request('c1', { amount: 13 }));
    expect(status).toBe(200);
    // The heuristic sees no features (they could not be computed) and answers its non-abroad score.
    expect(body).toMatchObject({ version: null, score: 0.1, fallback: { kind: 'heuristic', reason: 'feature-error' } });
  });

  it('answers by fallback when more predictions are in flight than the model allows, counting a stalled model until it settles', async () => {
    let release: (score: number) => void = () => undefined;
    const stalled = new Promise<number>((resolve) => (release = resolve));
    await start(scorer(() => stalled));
    const answers = await Promise.all([1, 2, 3, 4].map((i) => predict('fraud', request('c1', { id: `p${i}` }))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Two reach the model and time out at the budget; it still holds both, so the next two are overload.
    expect(answers.map((a) => a.body.fallback?.reason).sort()).toEqual(['overload', 'overload', 'timeout', 'timeout']);
    release(0.2);
    await stalled;
    await sleep(0);
    expect(harness!.runtime.predictor!.describe('fraud').inFlight).toBe(0);
  });

  it('rejects bad requests with a 4xx that names the field or the model', async () => {
    await start();
    const badJson = await harness!.app.inject({ method: 'POST', url: '/v1/predict/fraud', headers: { 'content-type': 'application/json' }, payload: '{"customer": ' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ error: { code: 'TANDEM_BAD_REQUEST' } });
    const unknown = await predict('nope', request('c1'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'TANDEM_UNKNOWN_MODEL', message: "unknown model 'nope' (served: fraud, bare)" });
    const untrained = await predict('learner', request('c1'));
    expect(untrained.status).toBe(404);
    expect(untrained.body.error?.message).toContain("model 'learner' has no champion version in the registry");
    const noKey = await predict('fraud', { amount: 1, country: 'NL' });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error?.message).toBe("field 'customer' is missing: it is the key of an entity the model reads");
    const badType = await predict('fraud', request('c1', { amount: 'lots' }));
    expect(badType.body.error?.message).toBe(`field 'amount' must be a number, got 'lots'`);
    const badItem = await predict('fraud', [request('c1'), request('c1', { at: 'yesterday-ish' })]);
    expect(badItem.status).toBe(400);
    expect(badItem.body.error?.message).toBe(`[1] field 'at' must be a time (epoch ms or ISO 8601), got 'yesterday-ish'`);
    const tooLarge = await predict('fraud', Array.from({ length: 2_000 }, () => request('c1')));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error?.code).toBe('TANDEM_BODY_TOO_LARGE');
    const tooOld = await predict('fraud', request('c1', { at: T0 - 365 * 86_400_000 }));
    expect(tooOld.status).toBe(400);
    expect(tooOld.body.error?.code).toBe('TANDEM_READ_TOO_OLD');
  });
});

describe('POST /v1/feedback/:model', () => {
  it('joins a label to its logged prediction and appends both to the prediction log', async () => {
    await start();
    await predict('fraud', request('c1', { id: 'order-7' }));
    const joined = await harness!.app.inject({ method: 'POST', url: '/v1/feedback/fraud', payload: { id: 'order-7', label: true, ts: T0 + 1 } });
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toEqual({ id: 'order-7', model: 'fraud', joined: true, learned: false, score: 0.3, version: 3 });
    const lost = await harness!.app.inject({ method: 'POST', url: '/v1/feedback/fraud', payload: { id: 'never', label: 0 } });
    expect(lost.json()).toMatchObject({ joined: false });
    const bad = await harness!.app.inject({ method: 'POST', url: '/v1/feedback/fraud', payload: { id: 'order-7', label: 'yes' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe(`field 'label' must be a number or boolean, got 'yes'`);
    // The served score met its label: the rolling performance of the model moved.
    const metrics = (await harness!.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('tandem_feedback_window_size{model="fraud"} 1');
    expect(metrics).toContain('tandem_feedback_accuracy{model="fraud"} 0');
    expect(metrics).toContain(`tandem_feedback_log_loss{model="fraud"} ${-Math.log(0.3)}`);
    expect(metrics).toContain('tandem_feedback_total{model="fraud",joined="true"} 1');
    await harness!.runtime.predictionLog.flush();
    const lines = (await readFile(join(harness!.dir, 'serving', 'predictions.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'prediction', id: 'order-7', model: 'fraud', version: 3, score: 0.3, decision: 'allow', features: { orders_1h: 3, abroad: false } });
    expect(lines[0]!['featuresSha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[1]).toEqual({ type: 'feedback', id: 'order-7', model: 'fraud', label: 1, ts: T0 + 1, joined: true, learned: false });
    expect(lines[2]).toMatchObject({ type: 'feedback', id: 'never', joined: false });
  });

  it('lets an online model learn from the features its prediction used', async () => {
    const learned: [Row, number][] = [];
    await start(byOrders, { learner: served(scorer(() => 0.5, { learn: (row, label) => learned.push([row, label]) })) });
    await predict('learner', request('c1', { id: 'x' }));
    const response = await harness!.app.inject({ method: 'POST', url: '/v1/feedback/learner', payload: [{ id: 'x', label: 1 }] });
    expect(response.json()).toMatchObject([{ joined: true, learned: true }]);
    expect(learned).toEqual([[expect.objectContaining({ orders_1h: 3, amount_ratio: 2 }), 1]]);
  });
});

describe('GET /readyz and GET /metrics', () => {
  it('is ready with the versions it serves', async () => {
    await start();
    const ready = await harness!.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', models: { fraud: 3, bare: 3 }, unserved: ['ranked', 'learner'], eventsApplied: 13 });
  });

  it('finishes predictions in flight when the server closes, even for a keep-alive client', async () => {
    let release: (score: number) => void = () => undefined;
    const stalled = new Promise<number>((resolve) => (release = resolve));
    await start(scorer(() => stalled));
    const address = await harness!.app.listen({ host: '127.0.0.1', port: 0 });
    const pending = fetch(`${address}/v1/predict/bare`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request('c1', { id: 'last' })) }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as Prediction }),
    );
    // Wait until the request has reached the model.
    while (harness!.runtime.predictor!.describe('bare').inFlight === 0) await sleep(5);
    let closed = false;
    const closing = harness!.app.close().then(() => (closed = true));
    await sleep(20);
    expect(closed).toBe(false);
    release(0.25);
    expect(await pending).toMatchObject({ status: 200, body: { id: 'last', score: 0.25 } });
    await closing;
    expect(closed).toBe(true);
  });

  it('answers many requests in flight at once over keep-alive connections, each with its own prediction', async () => {
    await start();
    const address = await harness!.app.listen({ host: '127.0.0.1', port: 0 });
    // Responses of one event-loop turn leave together (SendBatch): none may go to another request.
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await fetch(`${address}/v1/predict/fraud`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request(i % 2 === 0 ? 'c1' : 'c9', { id: `r${i}` })),
        });
        const body = (await response.json()) as Prediction;
        return [response.status, body.id, body.score];
      }),
    );
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => [200, `r${i}`, i % 2 === 0 ? 0.3 : 1]));
  });

  it('counts predictions, fallbacks by reason, decisions, versions and HTTP requests', async () => {
    await start();
    await predict('fraud', request('c1'));
    await predict('fraud', request('stranger'));
    await predict('nope', request('c1'));
    const response = await harness!.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain; version=0.0.4');
    const text = response.body;
    expect(text).toContain('tandem_predictions_total{model="fraud",outcome="model"} 1');
    expect(text).toContain('tandem_predictions_total{model="fraud",outcome="fallback"} 1');
    expect(text).toContain('tandem_fallbacks_total{model="fraud",kind="heuristic",reason="missing-features"} 1');
    expect(text).toContain('tandem_decisions_total{model="fraud",decision="allow",rule="none"} 2');
    expect(text).toContain('tandem_model_version{model="fraud",role="champion"} 3');
    expect(text).toContain('tandem_model_version{model="fraud",role="previous"} 2');
    expect(text).toContain('tandem_predictions_in_flight{model="fraud"} 0');
    expect(text).toMatch(/tandem_predict_duration_seconds_bucket\{model="fraud",le="\+Inf"\} 2/);
    expect(text).toContain('tandem_http_requests_total{method="POST",route="/v1/predict/:model",status="404"} 1');
    expect(text).toContain('tandem_http_requests_total{method="POST",route="/v1/predict/:model",status="200"} 2');
  });
});
