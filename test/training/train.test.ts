import { describe, expect, it } from 'vitest';
import { backfillRows } from '../../src/engine/index.js';
import { loadProject } from '../../src/config/load-project.js';
import type { TandemError } from '../../src/index.js';
import { defineProject, model, source, featureView, entity, count } from '../../src/index.js';
import { tableFromRows } from '../../src/io/index.js';
import { buildTrainingSet, rowAt } from '../../src/training/training-set.js';
import { trainModel } from '../../src/training/train.js';
import { LoadedModel } from '../../src/training/bundle.js';
import { generateOrders } from '../fixtures/orders.js';

const CONFIG = 'test/fixtures/orders.config.ts';
const orders = generateOrders(2_000);
const table = tableFromRows(orders, { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' });

describe('training sets', () => {
  it('hold every labelled event with its features as of its own time, in time order, split in time', async () => {
    const project = await loadProject(CONFIG);
    const definition = project.models.get('baseline')!;
    const set = await buildTrainingSet(project, definition, { events: { orders: table } });
    expect(set.time.length).toBe(orders.length);
    for (let i = 1; i < set.time.length; i++) expect(set.time[i]!).toBeGreaterThanOrEqual(set.time[i - 1]!);
    expect(set.testStart).toBe(orders.length - 500);
    expect(set.time[set.testStart - 1]!).toBeLessThanOrEqual(set.time[set.testStart]!);
    const expected = backfillRows(project, { views: ['customer_stats', 'order_request'], events: orders, spine: 'events' });
    for (const i of [0, 17, 999, 1_999]) {
      const source = expected[set.order[i]!]!;
      expect(rowAt(set, i)).toEqual({
        orders_1h: source['orders_1h'],
        amount_mean_7d: source['amount_mean_7d'],
        last_country: source['last_country'],
        amount_ratio: source['amount_ratio'],
        abroad: source['abroad'],
      });
      expect(set.label[i]).toBe(source['is_fraud'] ? 1 : 0);
    }
    // Strings become category codes by training frequency: the home country first.
    expect(set.encodings.find((e) => e.name === 'last_country')).toMatchObject({ type: 'category', vocabulary: ['NL', 'BR', 'DE'] });
  });

  it('train the same bytes twice from the same definitions and events', async () => {
    const project = await loadProject(CONFIG);
    const a = await trainModel(project, 'baseline', { events: { orders: table } });
    const b = await trainModel(project, 'baseline', { events: { orders: table } });
    expect(a.artifact).toBe(b.artifact);
    expect(a.lineage.dataHash).toBe(b.lineage.dataHash);
    expect(a.lineage.rows).toEqual({ train: 1_500, validation: 0, test: 500 });
    expect(a.metrics['rocAuc']).toBe(0.5);
    const loaded = LoadedModel.fromText(a.artifact);
    expect(loaded.score({})).toBeCloseTo(a.set.label.subarray(0, 1_500).reduce((s, v) => s + v, 0) / 1_500, 12);
  });
});

describe('model definitions', () => {
  const tx = source('tx', { timestamp: 'ts', schema: { ts: 'timestamp', card: 'string', fraud: 'number' } });
  const cards = featureView('cards', tx, { entity: entity('card', { key: 'card' }), features: { n_1h: count({ window: '1h' }) } });
  const define = (options: Parameters<typeof model>[1]): unknown => defineProject({ views: [cards], models: [model('m', options)] });
  const base = { features: ['n_1h'], label: 'fraud', algorithm: 'prior', split: { testShare: 0.2 } } as const;

  it('name an unknown feature and the model', () => {
    expect(() => define({ ...base, features: ['cards.amount_sum_2h'] })).toThrow(
      "unknown feature 'cards.amount_sum_2h' in model 'm' ('cards' has: n_1h)",
    );
    expect(() => define({ ...base, features: ['nope'] })).toThrow("unknown feature 'nope' in model 'm'");
  });

  it('name a bad parameter with its value, and an unknown algorithm with the known ones', () => {
    expect(() => model('m', { ...base, params: { task: 'ranking' } })).toThrow(/^model 'm': prior: parameter 'task' .*, got 'ranking'$/);
    expect(() => model('m', { ...base, params: { depth: 3 } })).toThrow("model 'm': prior: unknown parameter 'depth'");
    expect(() => model('m', { ...base, algorithm: 'svm' })).toThrow(/model 'm': unknown algorithm 'svm' \(known: .*prior/);
  });

  it('check the label is a field of the training source and the split is a time split', () => {
    expect(() => define({ ...base, label: 'is_fraud' })).toThrow("model 'm': label 'is_fraud' is not a field of source 'tx' (fields: ts, card, fraud)");
    expect(() => model('m', { ...base, split: { testShare: 1.5 } })).toThrow("model 'm': split.testShare must be in (0, 1), got 1.5");
    expect(() => model('m', { ...base, split: { testFrom: 'tomorrow' } })).toThrow("model 'm': split.testFrom 'tomorrow' is not a date");
    try {
      define({ ...base, features: ['zzz'] });
    } catch (error) {
      expect((error as TandemError).code).toBe('TANDEM_UNKNOWN_FEATURE');
    }
  });
});

describe('training real algorithms', () => {
  it('a logistic regression finds the planted fraud bursts on later rows', async () => {
    const project = await loadProject(CONFIG);
    const result = await trainModel(project, 'logistic', { events: { orders: table } });
    expect(result.metrics['rocAuc']).toBeGreaterThan(0.85);
    expect(result.metrics['logLoss']).toBeLessThan(result.metrics['baselineLogLoss']!);
    // The served model scores raw feature values exactly as the evaluation scored encoded ones.
    const loaded = LoadedModel.fromText(result.artifact);
    const i = result.set.testStart + 7;
    expect(loaded.score(rowAt(result.set, i))).toBeGreaterThanOrEqual(0);
  });

  it('an online FTRL learns in time order and reports prequential metrics beside the holdout', async () => {
    const project = await loadProject(CONFIG);
    const result = await trainModel(project, 'online', { events: { orders: table } });
    expect(result.metrics['rocAuc']).toBeGreaterThan(0.85);
    expect(result.metrics['prequentialRocAuc']).toBeGreaterThan(0.75);
    expect(result.fit.iterations).toBe(1_500);
    const loaded = LoadedModel.fromText(result.artifact);
    expect(loaded.bundle.encodings).toBeNull(); // online models hash raw values, strings included
    const p = loaded.score(rowAt(result.set, result.set.testStart));
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });

  it('a GBDT trained on quantized gradients from the project file scores as well as exact training and reproduces its bytes', async () => {
    const { customers, order, features } = await import('../fixtures/orders.config.js');
    const trees = (name: string, quantizeGradients: boolean) =>
      model(name, { features, label: 'is_fraud', algorithm: 'gbdt', params: { rounds: 30, maxDepth: 4, seed: 7, quantizeGradients }, split: { testShare: 0.25 } });
    const project = defineProject({ views: [customers], requestFeatures: [order], models: [trees('exact', false), trees('quantized', true)] });
    const exact = await trainModel(project, 'exact', { events: { orders: table } });
    const quantized = await trainModel(project, 'quantized', { events: { orders: table } });
    expect(quantized.metrics['rocAuc']).toBeGreaterThan(0.85);
    expect(Math.abs(quantized.metrics['rocAuc']! - exact.metrics['rocAuc']!)).toBeLessThan(0.02);
    expect(quantized.artifact).toContain('"quantizeGradients":true');
    const again = await trainModel(project, 'quantized', { events: { orders: table } });
    expect(again.artifactSha256).toBe(quantized.artifactSha256);
    expect(quantized.artifactSha256).not.toBe(exact.artifactSha256);
  });

  it('an isolation forest is evaluated by how well its score ranks the labelled positives', async () => {
    const project = await loadProject(CONFIG);
    const result = await trainModel(project, 'outliers', { events: { orders: table } });
    expect(result.metrics['rocAuc']).toBeGreaterThan(0.6);
    const again = await trainModel(project, 'outliers', { events: { orders: table } });
    expect(again.artifactSha256).toBe(result.artifactSha256);
  });
});
