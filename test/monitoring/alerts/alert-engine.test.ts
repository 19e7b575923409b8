import { describe, expect, it } from 'vitest';
import { checkMonitoring, type AlertOptions } from '../../../src/features/model-monitoring.js';
import { AlertEngine, type ModelSignals } from '../../../src/monitoring/alerts/alert-engine.js';
import type { AlertActions } from '../../../src/monitoring/alerts/alert-actions.js';
import type { AlertRecord, DatasetDrift } from '../../../src/monitoring/types.js';

const quiet: ModelSignals = { dataDrift: null, predictionDrift: null, conceptDrift: [], performance: { labelled: 0, values: {} }, fallbackRate: null, freshnessMs: null };

function drift(drifted: boolean): DatasetDrift {
  const column = (name: string, d: boolean) => ({
    column: name,
    kind: 'number' as const,
    method: 'wasserstein' as const,
    statistic: d ? 0.4 : 0.01,
    pValue: null,
    threshold: 0.1,
    drifted: d,
    referenceCount: 1000,
    currentCount: 500,
    reference: { counts: [] },
    current: { counts: [] },
  });
  const columns = [column('amount', drifted), column('count_1h', drifted), column('age', false)];
  const share = columns.filter((c) => c.drifted).length / 3;
  return { at: 0, windowSize: 500, columns, driftShare: share, drifted: share >= 0.5, shareThreshold: 0.5 };
}

function harness(alerts: AlertOptions[]) {
  let now = 1_000_000;
  const calls: string[] = [];
  const records: AlertRecord[] = [];
  const actions: AlertActions = {
    retrain: async (model, alert) => (calls.push(`retrain ${model} ${alert}`), 'retrain run 1 started'),
    rollback: async (model) => (calls.push(`rollback ${model}`), 'champion 2 → 1'),
    fallback: (model, alert) => (calls.push(`fallback ${model} ${alert ?? 'off'}`), alert === undefined ? 'model answers again' : 'fallback chain answers'),
    webhook: async (url) => {
      calls.push(`webhook ${url}`);
      throw new Error('webhook answered 500');
    },
  };
  const definition = checkMonitoring("model 'fraud'", { alerts });
  const engine = new AlertEngine('fraud', definition.alerts, { actions, record: async (r) => void records.push(r), now: () => now });
  return { engine, calls, records, advance: (ms: number) => (now += ms) };
}

describe('alert engine', () => {
  it('fires the action of a condition that holds, records it, and stays quiet for the cooldown', async () => {
    const { engine, calls, records, advance } = harness([{ when: 'data-drift', action: 'retrain', cooldown: '10m' }]);
    expect(await engine.check({ ...quiet, dataDrift: drift(false) })).toEqual([]);
    const [fired] = await engine.check({ ...quiet, dataDrift: drift(true) });
    expect(fired).toMatchObject({ model: 'fraud', alert: 'data-drift', kind: 'data-drift', action: 'retrain', outcome: 'retrain run 1 started' });
    expect(fired?.message).toContain('2 of 3 features drifted');
    expect(fired?.message).toContain('amount, count_1h');
    advance(9 * 60_000);
    expect(await engine.check({ ...quiet, dataDrift: drift(true) })).toEqual([]);
    advance(2 * 60_000);
    expect(await engine.check({ ...quiet, dataDrift: drift(true) })).toHaveLength(1);
    expect(calls).toEqual(['retrain fraud data-drift', 'retrain fraud data-drift']);
    expect(records).toHaveLength(2);
  });

  it('holds the model on its fallback while the condition holds and releases it once it clears', async () => {
    const { engine, calls, records } = harness([{ name: 'auc-low', when: { metric: 'rocAuc', below: 0.7, minLabels: 50 }, action: 'fallback', cooldown: '1s' }]);
    expect(await engine.check({ ...quiet, performance: { labelled: 20, values: { rocAuc: 0.5 } } })).toEqual([]);
    await engine.check({ ...quiet, performance: { labelled: 80, values: { rocAuc: 0.6 } } });
    expect(engine.forcedBy).toBe('auc-low');
    await engine.check({ ...quiet, performance: { labelled: 90, values: { rocAuc: 0.75 } } });
    expect(engine.forcedBy).toBeUndefined();
    expect(calls).toEqual(['fallback fraud auc-low', 'fallback fraud off']);
    expect(records.map((r) => r.message)).toEqual(['rocAuc 0.600 < 0.700 over 80 labelled predictions', 'condition cleared']);
  });

  it('records a failed action as the outcome instead of throwing', async () => {
    const { engine, records } = harness([{ when: { fallbackRate: 0.2 }, action: { webhook: 'http://127.0.0.1:9/hook' } }]);
    await engine.check({ ...quiet, fallbackRate: 0.5 });
    expect(records[0]).toMatchObject({ kind: 'fallback-rate', action: 'webhook', outcome: 'failed: webhook answered 500', message: 'fallback rate 0.500 ≥ 0.200' });
  });

  it('fires concept drift on each detector signal and freshness past its limit', async () => {
    const { engine, records } = harness([
      { when: 'concept-drift', action: 'rollback', cooldown: 0 },
      { when: { freshness: '5m' }, cooldown: 0 },
    ]);
    await engine.check({ ...quiet, conceptDrift: ['adwin'], freshnessMs: 60_000 });
    await engine.check({ ...quiet, conceptDrift: [], freshnessMs: 600_000 });
    expect(records.map((r) => `${r.kind}: ${r.outcome}`)).toEqual(['concept-drift: champion 2 → 1', 'freshness: recorded']);
  });

  it('rejects alert definitions that name no condition or an unknown action, saying which alert', () => {
    expect(() => checkMonitoring("model 'fraud'", { alerts: [{ when: 'drifty' as never }] })).toThrow("model 'fraud': monitoring.alerts[0].when must be 'data-drift'");
    expect(() => checkMonitoring("model 'fraud'", { alerts: [{ when: 'data-drift', action: 'explode' as never }] })).toThrow("monitoring.alerts[0].action must be 'retrain', 'rollback'");
    expect(() => checkMonitoring("model 'fraud'", { alerts: [{ when: { metric: 'rocAuc' } }] })).toThrow('needs exactly one of below or above');
    expect(() => checkMonitoring("model 'fraud'", { alerts: [{ when: 'data-drift' }, { when: 'data-drift' }] })).toThrow("alert 'data-drift' is defined twice");
  });
});
