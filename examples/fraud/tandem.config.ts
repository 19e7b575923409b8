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
  // minChildWeight below xgboost's 1: with 1 % fraud, a leaf of a few dozen new fraud cases has a
  // hessian sum under 1. No early stopping: its validation rows are the latest ones, where a new
  // pattern appears first, and stopping there leaves the model blind to it.
  params: { rounds: 100, maxDepth: 6, learningRate: 0.1, minChildWeight: 0.05 },
  split: { testShare: 0.25 },
  serving: {
    budgetMs: 25,
    // A slow or failing model never blocks a payment: the previous version, then a velocity rule, answer.
    // A card or merchant never seen before is scored by the model (it was trained on such payments too).
    fallback: [
      'previous-version',
      { name: 'velocity', heuristic: (x) => (Number(x['card_tx_1h']) > 5 || x['new_country'] === true ? 0.6 : 0.02), on: ['timeout', 'overload', 'model-error', 'forced'] },
      { score: 0.02, on: ['timeout', 'overload', 'model-error', 'forced'] },
    ],
    rules: [
      { name: 'block-high-score', when: (x) => x.score > 0.9, decision: 'block' },
      { name: 'review-score', when: (x) => x.score > 0.5, decision: 'review' },
      { name: 'review-new-country-large', when: (x) => x.features['new_country'] === true && Number(x.features['tx_amount']) > 500, decision: 'review' },
    ],
  },
  monitoring: {
    window: { rows: 3000 },
    minRows: 500,
    evaluateEvery: '10s',
    detectors: ['adwin'],
    alerts: [
      // Chargebacks arrive late through POST /v1/feedback; when fraud gets past the model, retrain.
      // While fraud keeps getting through, retrain once a day: each run has more labelled examples of what is new.
      { name: 'fraud-getting-through', when: { metric: 'rocAuc', below: 0.9, minLabels: 1000 }, action: 'retrain', cooldown: '1d' },
      { name: 'loss-shift', when: 'concept-drift', action: 'retrain', cooldown: '1d' },
      { name: 'inputs-drifted', when: 'data-drift', cooldown: '1d' },
      { name: 'fallbacks-high', when: { fallbackRate: 0.2 }, cooldown: '1h' },
    ],
  },
  // The gate judges on the last two days, so what began recently is in the challenger's training too.
  retrain: { gate: { metric: 'rocAuc', margin: 0.005, holdout: '2d' } },
});

export default defineProject({
  name: 'fraud',
  views: [cardStats, merchantStats, cardMerchantStats],
  requestFeatures: [txRequest],
  models: [fraud],
});
