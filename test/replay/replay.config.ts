import { count, defineProject, entity, featureView, last, mean, model, requestFeatures, source } from 'tandem';

// The orders of test/fixtures/orders.ts, with a model served behind rules and a fallback.
const orders = source('orders', {
  timestamp: 'ts',
  schema: { ts: 'timestamp', customer: 'string', amount: 'number', country: 'string', is_fraud: 'boolean' },
});
const customers = featureView('customer_stats', orders, {
  entity: entity('customer', { key: 'customer' }),
  features: {
    orders_1h: count({ window: '1h' }),
    amount_mean_7d: mean('amount', { window: '7d' }),
    last_country: last('country'),
  },
});
const order = requestFeatures('order_request', {
  request: { amount: 'number', country: 'string' },
  views: [customers],
  features: {
    amount_ratio: (r) => (r.amount_mean_7d === null ? null : r.amount / r.amount_mean_7d),
    abroad: (r) => r.country !== 'NL',
  },
});
const features = ['orders_1h', 'customer_stats.amount_mean_7d', 'last_country', 'order_request.amount_ratio', 'abroad'];
const split = { testShare: 0.25 };
export default defineProject({
  views: [customers],
  requestFeatures: [order],
  models: [
    model('fraud', {
      features,
      label: 'is_fraud',
      algorithm: 'gbdt',
      params: { rounds: 30, maxDepth: 4, subsample: 0.8, seed: 7 },
      split,
      serving: {
        // A customer never seen before gets a low fixed score: the model has nothing to go on.
        fallback: [{ score: 0.02, on: ['missing-features'] }],
        rules: [
          { name: 'block-high', when: (x) => x.score > 0.5, decision: 'block' },
          { name: 'review-abroad', when: (x) => x.features['abroad'] === true && x.score > 0.1, decision: 'review' },
        ],
      },
    }),
    model('prior', { features, label: 'is_fraud', algorithm: 'prior', split }),
  ],
});
