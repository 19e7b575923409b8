import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/advise/profile.js';
import { recommend } from '../../src/advise/recommend.js';

const profile = (name: string) => parseProfile(JSON.parse(readFileSync(new URL(`./profiles/${name}.json`, import.meta.url), 'utf8')));

describe('three use cases get three different, explained answers', () => {
  it('payment fraud: real-time serving on streaming features, with an online store and lineage', () => {
    const r = recommend(profile('payment-fraud'));
    expect(r.architecture).toBe('real-time');
    expect(r.setup.learning).toBe('scheduled retraining');
    // Batch and micro-batch cannot meet 5 s freshness at 50 ms; month-late chargebacks rule out online learning.
    expect(r.ranking.find((x) => x.architecture === 'batch')!.ruledOutBy).toEqual(['freshness-below-1h', 'latency-needs-online-store']);
    expect(r.ranking.find((x) => x.architecture === 'micro-batch')!.ruledOutBy).toContain('freshness-below-1m');
    expect(r.ranking.find((x) => x.architecture === 'online-learning')!.ruledOutBy).toEqual(['labels-too-late-for-online']);
    expect(r.decidingCriteria).toEqual(expect.arrayContaining(['freshness', 'latency']));
    expect(r.reasons.join('\n')).toMatch(/audit \(weight 2\): regulated/);
    expect(r.setup.backends['online state']).not.toMatch(/none/);
    expect(r.setup.backends['registry, jobs, audit']).toMatch(/PostgreSQL/);
    expect(r.setup.commands.join('\n')).toMatch(/tandem train --reproduce/);
    expect(r.setup.definitions.join('\n')).toMatch(/pii: 'tokenize'/);
    expect(r.setup.definitions.join('\n')).toMatch(/fallback/);
  });

  it('nightly forecast: batch with a cron job', () => {
    const r = recommend(profile('nightly-forecast'));
    expect(r.architecture).toBe('batch');
    expect(r.setup.deployment).toBe('embedded');
    expect(r.setup.definitions.join('\n')).toMatch(/job\('score', \{ schedule: '0 2 \* \* \*'/);
    expect(r.decidingCriteria).toEqual(expect.arrayContaining(['freshness', 'latency', 'task']));
    expect(r.hardRules.map((h) => h.rule)).toEqual(['no-online-model-for-task']);
    expect(r.runnersUp[0]!.whyNot).toMatch(/freshness/);
  });

  it('high-volume IoT anomalies: online learning on the Kappa path, scaled out', () => {
    const r = recommend(profile('iot-anomaly'));
    expect(r.architecture).toBe('online-learning');
    expect(r.label).toMatch(/Kappa/);
    expect(r.ranking[1]!.architecture).toBe('kappa');
    expect(r.setup.learning).toBe('online learning');
    expect(r.setup.deployment).toBe('scale-out');
    expect(r.setup.backends['event log']).toBe('NATS JetStream');
    expect(r.setup.backends['online state']).toBe('Redis');
    expect(r.setup.definitions.join('\n')).toMatch(/half-space-trees', online: true/);
    expect(r.decidingCriteria).toEqual(expect.arrayContaining(['freshness', 'drift and label delay']));
    expect(r.reasons.join('\n')).toMatch(/events per second \(weight 2\): 200,000 events\/s/);
  });

  it('every criterion prints its weight and each architecture gets weight × fit', () => {
    const r = recommend(profile('payment-fraud'));
    for (const c of r.criteria) {
      for (const [a, fit] of Object.entries(c.fits)) {
        expect(fit).toBeGreaterThanOrEqual(-1);
        expect(fit).toBeLessThanOrEqual(1);
        expect(c.contributions[a as keyof typeof c.contributions]).toBeCloseTo(c.weight * fit, 2);
      }
    }
    const realTime = r.ranking.find((x) => x.architecture === 'real-time')!;
    expect(realTime.score).toBeCloseTo(r.criteria.reduce((s, c) => s + c.contributions['real-time'], 0), 1);
  });

  it('an empty profile takes the documented defaults and still answers', () => {
    const r = recommend(parseProfile({}));
    expect(r.ranking).toHaveLength(6);
    expect(r.ranking[0]!.ruledOutBy).toEqual([]);
  });

  it('a budget below an architecture’s estimate counts against it', () => {
    const rich = recommend(parseProfile({ budgetPerMonth: 1_000_000 }));
    const poor = recommend(parseProfile({ budgetPerMonth: 1 }));
    const budget = (r: typeof rich) => r.criteria.find((c) => c.id === 'budget')!;
    expect(Object.values(budget(rich).fits).every((f) => f === 0)).toBe(true);
    expect(Object.values(budget(poor).fits).every((f) => f === -1)).toBe(true);
  });
});
