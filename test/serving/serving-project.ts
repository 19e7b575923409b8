import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, defineProject, entity, featureView, last, mean, model, requestFeatures, source } from '../../src/index.js';
import { PiiProtector } from '../../src/ingest/index.js';
import type { Row } from '../../src/models/model.js';
import { buildApp } from '../../src/server/app.js';
import { OnlineRuntime } from '../../src/server/online-runtime.js';
import type { Scorer, ServedModel } from '../../src/serving/types.js';

/** Orders, a customer view and request-time features, with models configured for serving. */
const orders = source('orders', {
  timestamp: 'ts',
  schema: { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' },
});
const customers = featureView('customer_stats', orders, {
  entity: entity('customer', { key: 'customer' }),
  features: { orders_1h: count({ window: '1h' }), amount_mean_7d: mean('amount', { window: '7d' }), last_country: last('country') },
});
const order = requestFeatures('order_request', {
  request: { amount: 'number', country: 'string' },
  views: [customers],
  features: {
    amount_ratio: (r) => (r.amount_mean_7d === null ? null : r.amount / r.amount_mean_7d),
    abroad: (r) => r.country !== 'NL',
    exploding: (r) => {
      if (r.amount === 13) throw new Error('unlucky amount');
      return 0;
    },
  },
});

export const FEATURES = ['orders_1h', 'customer_stats.amount_mean_7d', 'last_country', 'order_request.amount_ratio', 'abroad', 'exploding'];
const base = { features: FEATURES, label: 'is_fraud', algorithm: 'prior', split: { testShare: 0.25 } } as const;

export const project = defineProject({
  views: [customers],
  requestFeatures: [order],
  models: [
    model('fraud', {
      ...base,
      serving: {
        budgetMs: 25,
        maxInFlight: 2,
        fallback: ['previous-version', { heuristic: (x) => (x['abroad'] === true ? 0.7 : 0.1), name: 'abroad' }, { score: 0.05 }],
        rules: [
          { name: 'block-high', when: (x) => x.score > 0.9, decision: 'block' },
          { name: 'review-mid', when: (x) => x.score > 0.5, decision: 'review' },
          { name: 'review-abroad', when: (x) => x.features['abroad'] === true, decision: 'review' },
        ],
      },
    }),
    model('bare', base),
    model('ranked', { ...base, serving: { canary: { share: 0.3 }, shadow: {}, rules: [{ name: 'high', when: (x) => x.score > 0.5, decision: 'review' }] } }),
    { ...model('learner', { ...base, serving: { fallback: [{ score: 0 }] } }), online: true },
  ],
});

/** A scorer over the project's features; `score` sees the assembled row. */
export function scorer(score: (row: Row) => number | PromiseLike<number>, extra: Partial<Scorer> = {}): Scorer {
  return { features: FEATURES.map((ref) => ({ ref, name: ref.slice(ref.indexOf('.') + 1) })), score, ...extra };
}

export const served = (champion: Scorer, previous?: Scorer): ServedModel => ({
  champion: { version: 3, scorer: champion },
  previous: previous === undefined ? undefined : { version: 2, scorer: previous },
});

export interface Harness {
  readonly dir: string;
  readonly runtime: OnlineRuntime;
  readonly app: ReturnType<typeof buildApp>;
  close(): Promise<void>;
}

export async function startServing(models: ReadonlyMap<string, ServedModel>, options: { bodyLimit?: number } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-serving-'));
  const runtime = await OnlineRuntime.start(project, { dataDir: dir, pii: new PiiProtector(undefined), serving: { models } });
  const app = buildApp(runtime, { bodyLimit: options.bodyLimit ?? 64 * 1024 });
  return {
    dir,
    runtime,
    app,
    async close() {
      await app.close();
      await runtime.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const T0 = Date.UTC(2026, 0, 10);

/** Orders of customer `customer`, `minutes` apart, ending just before T0. */
export function history(customer: string, amounts: readonly number[], country = 'NL'): Record<string, unknown>[] {
  return amounts.map((amount, i) => ({ ts: T0 - (amounts.length - i) * 60_000, customer, amount, country, is_fraud: false }));
}
