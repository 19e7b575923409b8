import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFraudLive, type FraudLiveReport } from '../../../src/blueprints/fraud/live.js';
import { formatFraudLiveReport } from '../../../src/blueprints/fraud/report.js';

/**
 * The fraud blueprint in bounded mode: a fixed number of live payments, unpaced, with alerts
 * checked every 50 payments and retraining finished before traffic goes on, so the outcome
 * depends on the data, not on the machine's speed.
 */
let dir: string;
let report: FraudLiveReport;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-fraud-live-'));
  report = await runFraudLive({ dir, historyEvents: 20_000, payments: 4_000, ringAfter: 0.3, seed: 7 });
}, 300_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const phase = (name: string) => report.phases.find((p) => p.phase === name)!;

describe('the live fraud blueprint', () => {
  it('catches the planted patterns before the new one begins', () => {
    expect(report.firstModel.rocAuc).toBeGreaterThan(0.95);
    const before = phase('before the new pattern');
    expect(before.predictions).toBe(1_200);
    expect(before.rocAuc).toBeGreaterThan(0.95);
    expect(before.recall).toBeGreaterThan(0.6);
    expect(before.falsePositiveRate).toBeLessThan(0.01);
  });

  it('alerts within 100 payments of the new pattern, while the first model misses it', () => {
    expect(report.live.ringStartedAt).toBe(1_200);
    expect(report.alertAfterPayments).not.toBeNull();
    expect(report.alertAfterPayments!).toBeLessThanOrEqual(100);
    expect(phase('new pattern, first model').ringRecall).toBeLessThan(0.1);
    expect(report.alerts.some((a) => a.action === 'retrain' && /started/.test(a.outcome))).toBe(true);
  });

  it('retrains, lets the gate promote a better model, and recovers on the new pattern', () => {
    const promoted = report.gates.filter((g) => g.promoted);
    expect(promoted.length).toBeGreaterThan(0);
    expect(report.gates.some((g) => !g.promoted)).toBe(true);
    for (const g of promoted) expect(g.challengerScore).toBeGreaterThanOrEqual(g.championScore! + 0.005);
    const after = phase('after the promotion');
    expect(after.predictions).toBeGreaterThan(1_000);
    expect(after.ringRecall).toBeGreaterThan(0.3);
    expect(after.rocAuc).toBeGreaterThan(phase('new pattern, first model').rocAuc!);
    expect(after.falsePositiveRate).toBeLessThan(0.01);
  });

  it('answers every payment and prints a summary with the phases, latency, alerts and promotions', () => {
    expect(Object.values(report.decisions).reduce((a, b) => a + b, 0)).toBe(4_000);
    const text = formatFraudLiveReport(report);
    for (const part of ['before the new pattern', 'after the promotion', 'POST /v1/predict', 'PROMOTED', 'alerts']) expect(text).toContain(part);
  });
});
