import { count, last, lastK, approxDistinct, sum } from '../../features/aggregations.js';
import { entity } from '../../features/entity.js';
import { featureView } from '../../features/feature-view.js';
import { defineProject } from '../../features/project.js';
import { requestFeatures } from '../../features/request-features.js';
import { source } from '../../features/source.js';

/** Browsing events: views, carts and purchases (see sessions.ts). */
export const interactions = source('interactions', {
  timestamp: 'ts',
  schema: {
    ts: 'timestamp',
    user_id: 'string',
    session_id: 'string',
    item_id: 'string',
    category: 'string',
    event_type: 'string',
  },
});

const user = entity('user', { key: 'user_id' });
const session = entity('session', { key: 'session_id' });
const item = entity('item', { key: 'item_id' });
// Composite keys: a request reads them with the candidate's item and category.
const userCategory = entity('user_category', { key: ['user_id', 'category'] });
const sessionCategory = entity('session_category', { key: ['session_id', 'category'] });
const userItem = entity('user_item', { key: ['user_id', 'item_id'] });
const sessionItem = entity('session_item', { key: ['session_id', 'item_id'] });

export const userRecent = featureView('user_recent', interactions, {
  entity: user,
  features: {
    user_items: lastK('item_id', { k: 10 }),
    user_events_24h: count({ window: '24h' }),
    user_events_30d: count({ window: '30d' }),
    user_distinct_items_7d: approxDistinct('item_id', { window: '7d' }),
  },
});

export const sessionRecent = featureView('session_recent', interactions, {
  entity: session,
  features: {
    session_items: lastK('item_id', { k: 5 }),
    session_category: last('category'),
    session_events: count(),
    session_carts: sum((e: { event_type: string }) => e.event_type !== 'view'),
  },
});

export const itemPopularity = featureView('item_popularity', interactions, {
  entity: item,
  features: {
    item_views_1h: count({ window: '1h' }),
    item_views_24h: count({ window: '24h' }),
    item_views_7d: count({ window: '7d' }),
    item_carts_24h: sum((e: { event_type: string }) => e.event_type !== 'view', { window: '24h' }),
  },
});

export const userCategoryStats = featureView('user_category_stats', interactions, {
  entity: userCategory,
  features: {
    uc_events_24h: count({ window: '24h' }),
    uc_events_30d: count({ window: '30d' }),
  },
});

export const sessionCategoryStats = featureView('session_category_stats', interactions, {
  entity: sessionCategory,
  features: { sc_events: count() },
});

export const userItemStats = featureView('user_item_stats', interactions, {
  entity: userItem,
  features: {
    ui_events_30d: count({ window: '30d' }),
    ui_last_ts: last('ts', { window: '30d' }),
  },
});

export const sessionItemStats = featureView('session_item_stats', interactions, {
  entity: sessionItem,
  features: { si_events: count() },
});

const HOUR_MS = 3_600_000;

/**
 * The re-ranker's inputs: one row per (request, candidate). The request carries the candidate
 * (`item_id`, `category`), the time, and two scores computed outside the feature engine: the
 * live co-occurrence score (co-occurrence.ts) and the nightly candidate score and rank.
 */
export const candidateFeatures = requestFeatures('candidate_features', {
  request: {
    ts: 'timestamp',
    item_id: 'string',
    category: 'string',
    cooc_score: 'number',
    nightly_score: 'number',
    nightly_rank: { type: 'number', nullable: true },
  },
  views: [userRecent, sessionRecent, itemPopularity, userCategoryStats, sessionCategoryStats, userItemStats, sessionItemStats],
  features: {
    same_category: (r) => (r.session_category === r.category ? 1 : 0),
    session_category_share: (r) => r.sc_events / Math.max(1, r.session_events),
    session_length: (r) => r.session_events,
    session_has_cart: (r) => (r.session_carts > 0 ? 1 : 0),
    user_breadth_7d: (r) => r.user_distinct_items_7d,
    seen_in_session: (r) => r.si_events,
    session_recency_rank: (r) => {
      const at = r.session_items.indexOf(r.item_id);
      return at < 0 ? null : at;
    },
    user_item_events: (r) => r.ui_events_30d,
    hours_since_user_item: (r) => (r.ui_last_ts === null ? null : (r.ts - Number(r.ui_last_ts)) / HOUR_MS),
    user_category_share: (r) => r.uc_events_30d / Math.max(1, r.user_events_30d),
    user_category_24h: (r) => r.uc_events_24h,
    pop_1h: (r) => Math.log1p(r.item_views_1h),
    pop_24h: (r) => Math.log1p(r.item_views_24h),
    pop_7d: (r) => Math.log1p(r.item_views_7d),
    trend: (r) => Math.log((24 * r.item_views_1h + 1) / (r.item_views_24h + 1)),
    cart_rate_24h: (r) => r.item_carts_24h / Math.max(1, r.item_views_24h),
    cooc: (r) => Math.log1p(r.cooc_score),
    nightly: (r) => r.nightly_score,
    nightly_position: (r) => r.nightly_rank ?? 100,
  },
});

/** The features the re-ranker reads, in order. */
export const RERANK_FEATURES = candidateFeatures.featureNames;

/** The personalization project: every view above and the candidate features. */
export const personalizationProject = defineProject({
  name: 'personalization',
  views: [userRecent, sessionRecent, itemPopularity, userCategoryStats, sessionCategoryStats, userItemStats, sessionItemStats],
  requestFeatures: [candidateFeatures],
});
