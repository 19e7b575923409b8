import { defineProject, model } from 'tandem';
import { customers, features, order } from '../fixtures/orders.config.js';

// The orders project of test/fixtures/orders.config.ts, with a model served behind rules and a fallback.
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
