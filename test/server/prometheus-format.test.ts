import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../src/serving/types.js';
import { scorer, served, startServing, T0, type Harness } from '../serving/serving-project.js';

/** promtool from Debian's prometheus package (.ci/run installs it). */
const PROMTOOL = process.env['PROMTOOL_PATH'] ?? 'promtool';

let harness: Harness;
beforeAll(async () => {
  harness = await startServing(new Map([['fraud', served(scorer(() => 0.3))]]));
});
afterAll(() => harness.close());

describe('GET /metrics', () => {
  it('passes promtool check metrics after predictions, fallbacks, feedback and HTTP traffic', async () => {
    const predict = async (payload: object): Promise<Prediction> => (await harness.app.inject({ method: 'POST', url: '/v1/predict/fraud', payload })).json() as Prediction;
    const answered = await predict({ customer: 'c1', amount: 20, country: 'NL', at: T0 });
    await predict({ customer: 'c2', amount: 13, country: 'NL', at: T0 });
    await harness.app.inject({ method: 'POST', url: '/v1/feedback/fraud', payload: { id: answered.id, label: 1 } });
    await harness.app.inject({ method: 'GET', url: '/v1/features/customer_stats?key=c1' });
    await harness.runtime.monitor!.tick();
    const body = (await harness.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toContain('tandem_predictions_total');
    expect(body).toContain('tandem_process_resident_memory_bytes');
    expect(body).toContain('tandem_event_loop_lag_p99_seconds');
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(check.error, `cannot run ${PROMTOOL}: install Debian's prometheus package`).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });
});
