import { count, defineProject, entity, featureView, max, mean, model, requestFeatures, source } from '../src/index.js';

/** The serving benchmark's project: features from two views and a request, a 200-tree GBDT. */
const payments = source('payments', {
  timestamp: 'ts',
  allowedLateness: '1h',
  schema: {
    ts: 'timestamp',
    tx_id: 'string',
    card: 'string',
    merchant: 'string',
    amount: 'number',
    country: 'string',
    device: 'string',
    is_fraud: { type: 'boolean', nullable: true },
  },
});
const byCard = featureView('by_card', payments, {
  entity: entity('card', { key: 'card' }),
  features: {
    card_n_1h: count({ window: '1h' }),
    card_n_24h: count({ window: '24h' }),
    card_avg_7d: mean('amount', { window: '7d' }),
    card_max_24h: max('amount', { window: '24h' }),
  },
});
const byMerchant = featureView('by_merchant', payments, {
  entity: entity('merchant', { key: 'merchant' }),
  features: {
    merchant_n_1h: count({ window: '1h' }),
    merchant_avg_24h: mean('amount', { window: '24h' }),
  },
});
const payment = requestFeatures('payment', {
  request: { amount: 'number' },
  views: [byCard],
  features: {
    tx_amount: (r) => r.amount,
    amount_ratio: (r) => (r.card_avg_7d === null ? null : r.amount / r.card_avg_7d),
  },
});

export const project = defineProject({
  views: [byCard, byMerchant],
  requestFeatures: [payment],
  models: [
    model('fraud', {
      features: [...byCard.featureNames, ...byMerchant.featureNames, 'tx_amount', 'amount_ratio'],
      label: 'is_fraud',
      algorithm: 'gbdt',
      params: { rounds: 200, maxDepth: 6, learningRate: 0.1 },
      split: { testShare: 0.2 },
    }),
  ],
});
