import { describe, expect, it } from 'vitest';
import { model, type ModelOptions } from '../../src/features/model.js';

const base: ModelOptions = { features: ['a'], label: 'y', algorithm: 'prior', split: { testShare: 0.2 } };
const define = (serving: unknown) => () => model('fraud', { ...base, serving: serving as NonNullable<ModelOptions['serving']> });

describe("model(): the 'serving' option", () => {
  it('defaults to no budget, no fallback, no rules and the decision allow', () => {
    expect(model('fraud', base).serving).toEqual({ budgetMs: undefined, maxInFlight: undefined, fallback: [], rules: [], defaultDecision: 'allow', canary: undefined, shadow: undefined });
  });

  it('normalises the fallback chain, with previous-version skipping what an older model cannot fix', () => {
    const heuristic = () => 0.5;
    const { fallback } = model('fraud', { ...base, serving: { fallback: ['previous-version', { heuristic, name: 'h', on: ['timeout'] }, { score: 0.1 }] } }).serving;
    expect(fallback.map((s) => [s.kind, s.name, [...s.on]])).toEqual([
      ['previous-version', 'previous-version', ['timeout', 'overload', 'model-error', 'forced']],
      ['heuristic', 'h', ['timeout']],
      ['default', 'default', ['timeout', 'overload', 'missing-features', 'feature-error', 'features-unavailable', 'model-error', 'forced']],
    ]);
  });

  it('lets a step choose its reasons, e.g. the previous version for unseen entities too', () => {
    const { fallback } = model('fraud', { ...base, serving: { fallback: [{ previousVersion: true, on: ['missing-features', 'timeout'] }] } }).serving;
    expect([...fallback[0]!.on]).toEqual(['missing-features', 'timeout']);
  });

  it('checks canary and shadow aliases and the canary share', () => {
    expect(model('fraud', { ...base, serving: { canary: { share: 0.1 }, shadow: {} } }).serving).toMatchObject({ canary: { alias: 'canary', share: 0.1 }, shadow: { alias: 'challenger' } });
    expect(define({ canary: { share: 1 } })).toThrow("model 'fraud': serving.canary.share must be a share of traffic in (0, 1), got 1");
    expect(define({ canary: { share: 0.1, alias: 'x' }, shadow: { alias: 'x' } })).toThrow("model 'fraud': serving.shadow.alias and serving.canary.alias are both 'x'");
    expect(define({ shadow: { alias: 'champion' } })).toThrow("model 'fraud': serving.shadow.alias cannot be 'champion'");
  });

  it('names the model and the option in every error', () => {
    expect(define({ budgetMs: -1 })).toThrow("model 'fraud': serving.budgetMs must be a positive number of milliseconds, got -1");
    expect(define({ maxInFlight: 1.5 })).toThrow("model 'fraud': serving.maxInFlight must be a positive whole number, got 1.5");
    expect(define({ fallback: [{ score: 'high' }] })).toThrow("model 'fraud': serving.fallback[0].score must be a finite number, got 'high'");
    expect(define({ fallback: ['last-good'] })).toThrow("model 'fraud': serving.fallback[0] must be 'previous-version', { heuristic: (features) => score } or { score: <number> }, got 'last-good'");
    expect(define({ fallback: [{ score: 0, on: ['slow'] }] })).toThrow("model 'fraud': serving.fallback[0].on: unknown reason 'slow'");
    expect(define({ rules: [{ name: 'r', when: true, decision: 'block' }] })).toThrow("model 'fraud': serving.rules[0].when (rule 'r') must be a function of { score, features }, got true");
    expect(define({ rules: [{ name: 'r', when: () => true, decision: 'block' }, { name: 'r', when: () => true, decision: 'allow' }] })).toThrow("model 'fraud': serving.rules[1]: rule 'r' is defined twice");
    expect(define({ defaultDecision: '' })).toThrow("model 'fraud': serving.defaultDecision must be a non-empty string, got ''");
  });
});
