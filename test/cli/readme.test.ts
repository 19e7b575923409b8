import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { StreamEngine } from '../../src/index.js';

describe('the README quickstart', () => {
  it('streams a flight and reads its origin as the README shows', async () => {
    const project = await loadProject('examples/flights/tandem.config.ts');
    const engine = new StreamEngine(project);
    expect(engine.apply('flights', { date: Date.now() - 60_000, origin: 'JFK', destination: 'LAX', delay: 20, distance: 2475 })).toEqual({ status: 'applied' });
    expect(engine.read('origin_stats', 'JFK')).toEqual({ cnt_1h: 1, avg_delay_24h: 20, frac_delayed_24h: 1 });
  });
});
