import { count, sum } from '../../features/aggregations.js';
import { entity } from '../../features/entity.js';
import { featureView } from '../../features/feature-view.js';
import { defineProject } from '../../features/project.js';
import { source } from '../../features/source.js';

/** One row per point-of-sale ticket. */
export const sales = source('sales', {
  timestamp: 'ts',
  schema: { ts: 'timestamp', store: 'string', category: 'string', amount: 'number', quantity: 'number' },
  description: 'point-of-sale tickets',
});

/** What is forecast: one series per store and product category. */
export const storeCategory = entity('store_category', { key: ['store', 'category'] });

/**
 * Daily totals. Read as of a UTC midnight, a one-day window covers exactly the day before
 * ([t − 24h, t)), so a spine row at midnight D holds day D − 1's totals and nothing of day D.
 */
export const dailySales = featureView('daily_sales', sales, {
  entity: storeCategory,
  features: {
    revenue_1d: sum('amount', { window: '1d' }),
    units_1d: sum('quantity', { window: '1d' }),
    tickets_1d: count({ window: '1d' }),
  },
  description: 'revenue, units and tickets of the day before, per store and category',
});

export const forecastingProject = defineProject({ name: 'forecasting', views: [dailySales] });
