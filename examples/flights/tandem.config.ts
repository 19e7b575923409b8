import { count, defineProject, entity, featureView, mean, ratio, source } from 'tandem';

const flights = source('flights', {
  timestamp: 'date',
  schema: { date: 'timestamp', origin: 'string', destination: 'string', delay: 'number', distance: 'number' },
});
const origin = entity('origin', { key: 'origin' });
const originStats = featureView('origin_stats', flights, { entity: origin, features: {
  cnt_1h: count({ window: '1h' }),
  avg_delay_24h: mean('delay', { window: '24h' }),
  frac_delayed_24h: ratio((e) => e.delay > 15, { window: '24h' }),
} });
export default defineProject({ views: [originStats] });
