import {
  approxDistinct,
  count,
  defineProject,
  entity,
  featureView,
  last,
  max,
  mean,
  model,
  ratio,
  requestFeatures,
  source,
  std,
  sum,
} from 'tandem';

/** Card payments: one event per authorisation. */
export const transactions = source('transactions', {
  timestamp: 'ts',
  allowedLateness: '5m',
  idempotencyKey: 'tx_id', // a payment sent twice is stored once
  schema: {
    ts: 'timestamp',
    tx_id: 'string',
    card: 'string',
    merchant: 'string',
    amount: 'number',
    country: 'string',
    device: { type: 'string', pii: 'tokenize' },
    is_fraud: { type: 'boolean', nullable: true }, // known in history; live events leave it out
  },
});

const card = entity('card', { key: 'card' });
const merchant = entity('merchant', { key: 'merchant' });
const cardMerchant = entity('card_merchant', { key: ['card', 'merchant'] });

export const cardStats = featureView('card_stats', transactions, {
  entity: card,
  features: {
    card_tx_1h: count({ window: '1h' }),
    card_tx_24h: count({ window: '24h' }),
    card_amount_24h: sum('amount', { window: '24h' }),
    card_amount_mean_7d: mean('amount', { window: '7d' }),
    card_amount_max_24h: max('amount', { window: '24h' }),
    card_amount_std_7d: std('amount', { window: '7d' }),
    card_small_ratio_1h: ratio((e) => e.amount < 2, { window: '1h' }),
    card_countries_24h: approxDistinct('country', { window: '24h' }),
    card_devices_7d: approxDistinct('device', { window: '7d' }),
    card_last_country: last('country'),
  },
});

export const merchantStats = featureView('merchant_stats', transactions, {
  entity: merchant,
  features: {
    merchant_tx_1h: count({ window: '1h' }),
    merchant_amount_mean_24h: mean('amount', { window: '24h' }),
    merchant_high_ratio_24h: ratio((e) => e.amount > 500, { window: '24h' }),
  },
});

export const cardMerchantStats = featureView('card_merchant_stats', transactions, {
  entity: cardMerchant,
  features: {
    pair_tx_7d: count({ window: '7d' }),
    pair_amount_mean_7d: mean('amount', { window: '7d' }),
  },
});

/** Computed from the request itself and the card's features, identically in backfill and serving. */
export const txRequest = requestFeatures('tx_request', {
  request: { amount: 'number', country: 'string' },
  views: [cardStats],
  features: {
    tx_amount: (r) => r.amount,
    amount_vs_mean_7d: (r) => (r.card_amount_mean_7d ? r.amount / r.card_amount_mean_7d : null),
    new_country: (r) => r.card_last_country !== null && r.country !== r.card_last_country,
  },
});

/** Trained by `tandem train --model fraud`: every labelled payment with its features as of its own time. */
export const fraud = model('fraud', {
  features: [
    ...cardStats.featureNames.filter((name) => name !== 'card_last_country'),
    ...merchantStats.featureNames,
    ...cardMerchantStats.featureNames,
    'tx_amount',
    'amount_vs_mean_7d',
    'new_country',
  ],
  label: 'is_fraud',
  algorithm: 'gbdt',
  params: { rounds: 200, maxDepth: 6, learningRate: 0.1, earlyStoppingRounds: 20 },
  split: { testShare: 0.25 },
  validationShare: 0.1,
});

export default defineProject({
  name: 'fraud',
  views: [cardStats, merchantStats, cardMerchantStats],
  requestFeatures: [txRequest],
  models: [fraud],
});
