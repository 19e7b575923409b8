import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../src/serving/types.js';
import { scorer, startServing, T0, type Harness } from '../serving/serving-project.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startServing(
    new Map([
      [
        'ranked',
        {
          champion: { version: 3, scorer: scorer(() => 0.2) },
          canary: { version: 5, scorer: scorer(() => 0.4) },
          // The shadow would review everything: its decisions disagree with the champion's.
          shadow: { version: 4, scorer: scorer(() => 0.9) },
        },
      ],
    ]),
  );
});
afterAll(() => harness.close());

const predict = async (customer: string): Promise<Prediction> =>
  (await harness.app.inject({ method: 'POST', url: '/v1/predict/ranked', payload: { customer, amount: 10, country: 'NL', at: T0 } })).json() as Prediction;

describe('canary and shadow versions', () => {
  it('sends a stable share of entities to the canary, by a hash of the entity key', async () => {
    const customers = Array.from({ length: 400 }, (_, i) => `customer-${i}`);
    const first = await Promise.all(customers.map(predict));
    const again = await Promise.all(customers.map(predict));
    expect(again.map((p) => p.version)).toEqual(first.map((p) => p.version));
    const canary = first.filter((p) => p.version === 5);
    expect(canary.length / customers.length).toBeGreaterThan(0.22);
    expect(canary.length / customers.length).toBeLessThan(0.38);
    expect(canary.every((p) => p.variant === 'canary' && p.score === 0.4)).toBe(true);
    expect(first.filter((p) => p.version === 3).every((p) => p.variant === undefined && p.score === 0.2)).toBe(true);
    const metrics = (await harness.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`tandem_predictions_total{model="ranked",outcome="canary"} ${canary.length * 2}`);
    expect(metrics).toContain('tandem_model_version{model="ranked",role="canary"} 5');
  });

  it('scores every request with the shadow after the response, logging it beside the answer', async () => {
    const answer = await predict('shadowed');
    expect(answer.decision).toBe('allow');
    await harness.runtime.predictor!.drainShadows();
    const metrics = (await harness.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/tandem_shadow_predictions_total\{model="ranked",version="4",decision="disagree"\} [1-9]\d*/);
    expect(metrics).toContain('tandem_model_version{model="ranked",role="shadow"} 4');
    await harness.runtime.predictionLog.flush();
    const lines = (await readFile(join(harness.dir, 'serving', 'predictions.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual({ type: 'shadow', id: answer.id, model: 'ranked', version: 4, score: 0.9, decision: 'review', error: null });
  });
});
