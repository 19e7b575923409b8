/**
 * The benchmark's feature definitions, written with the product's API, and the same features
 * again as plain specs (kind, key fields, window) for the SQL and the brute-force reference.
 * Both are in output-column order; `checkSpecs` keeps them in step.
 */
import { count, defineProject, entity, featureView, max, mean, ratio, source, std } from '../src/index.js';

/** The ratio's threshold, shared by the definition, the SQL and the brute-force reference. */
export const HIGH_AMOUNT = 100;

export const transactions = source('transactions', {
  timestamp: 'ts',
  schema: {
    id: 'number',
    ts: 'timestamp',
    card: 'string',
    merchant: 'string',
    country: 'string',
    amount: 'number',
  },
  // The generator delivers some events up to 30 s late; a minute of lateness keeps every one.
  allowedLateness: '1m',
});

const card = entity('card', { key: 'card' });
const merchant = entity('merchant', { key: 'merchant' });
const cardMerchant = entity('card_merchant', { key: ['card', 'merchant'] });

export const cardStats = featureView('card_stats', transactions, {
  entity: card,
  features: {
    card_count_1h: count({ window: '1h' }),
    card_amount_mean_24h: mean('amount', { window: '24h' }),
    card_amount_max_7d: max('amount', { window: '7d' }),
    card_amount_std_7d: std('amount', { window: '7d' }),
  },
});

export const merchantStats = featureView('merchant_stats', transactions, {
  entity: merchant,
  features: {
    merchant_count_1h: count({ window: '1h' }),
    merchant_high_ratio_24h: ratio((e) => e.amount > HIGH_AMOUNT, { window: '24h' }),
    merchant_amount_mean_7d: mean('amount', { window: '7d' }),
  },
});

export const cardMerchantStats = featureView('card_merchant_stats', transactions, {
  entity: cardMerchant,
  features: {
    cm_count_24h: count({ window: '24h' }),
    cm_amount_max_7d: max('amount', { window: '7d' }),
  },
});

export const project = defineProject({ name: 'bench', views: [cardStats, merchantStats, cardMerchantStats] });
export const VIEW_NAMES = ['card_stats', 'merchant_stats', 'card_merchant_stats'] as const;

/** Each feature again, in a form both the SQL and the brute-force reference can use. */
export interface FeatureSpec {
  readonly name: string;
  readonly kind: 'count' | 'mean' | 'max' | 'std' | 'ratio';
  readonly keys: readonly ('card' | 'merchant')[];
  readonly windowMs: number;
}

const H = 3_600_000;
const D = 24 * H;

/** Same order as the views' features; checked against the definitions in `checkSpecs`. */
export const FEATURE_SPECS: readonly FeatureSpec[] = [
  { name: 'card_count_1h', kind: 'count', keys: ['card'], windowMs: H },
  { name: 'card_amount_mean_24h', kind: 'mean', keys: ['card'], windowMs: D },
  { name: 'card_amount_max_7d', kind: 'max', keys: ['card'], windowMs: 7 * D },
  { name: 'card_amount_std_7d', kind: 'std', keys: ['card'], windowMs: 7 * D },
  { name: 'merchant_count_1h', kind: 'count', keys: ['merchant'], windowMs: H },
  { name: 'merchant_high_ratio_24h', kind: 'ratio', keys: ['merchant'], windowMs: D },
  { name: 'merchant_amount_mean_7d', kind: 'mean', keys: ['merchant'], windowMs: 7 * D },
  { name: 'cm_count_24h', kind: 'count', keys: ['card', 'merchant'], windowMs: D },
  { name: 'cm_amount_max_7d', kind: 'max', keys: ['card', 'merchant'], windowMs: 7 * D },
];

/** The SQL aggregate computing a feature over its window frame. */
export function sqlAggregate(kind: FeatureSpec['kind']): string {
  switch (kind) {
    case 'count':
      return 'count(*)';
    case 'mean':
      return 'avg(amount)';
    case 'max':
      return 'max(amount)';
    case 'std':
      return 'stddev_pop(amount)';
    case 'ratio':
      return `avg(CASE WHEN amount > ${HIGH_AMOUNT} THEN 1.0::DOUBLE ELSE 0.0::DOUBLE END)`;
  }
}

/** Fail early if the specs drift from the feature definitions above. */
export function checkSpecs(): void {
  const views = [cardStats, merchantStats, cardMerchantStats];
  const defined = views.flatMap((v) => v.featureNames.map((name) => ({ name, keys: v.entity.keys, windowMs: (v.features as Record<string, { windowMs: number }>)[name]!.windowMs })));
  const same =
    defined.length === FEATURE_SPECS.length &&
    defined.every((d, i) => {
      const s = FEATURE_SPECS[i]!;
      return d.name === s.name && d.windowMs === s.windowMs && d.keys.join() === s.keys.join();
    });
  if (!same) throw new Error('bench/project.ts: FEATURE_SPECS no longer match the feature views; update them together');
}

/** Feature names in output order (card_stats, merchant_stats, card_merchant_stats). */
export const FEATURE_NAMES: readonly string[] = FEATURE_SPECS.map((f) => f.name);
