import { describe, expect, it } from 'vitest';
import { approxDistinct, count, defineProject, entity, featureView, last, lastK, max, mean, min, source, std, StreamEngine, sum } from '../../src/index.js';
import { generateTransactions } from '../../src/demo/transactions.js';
import { columnValue } from '../../src/io/column-value.js';
import type { Project } from '../../src/index.js';

const tx = source('tx', {
  timestamp: 'ts',
  allowedLateness: '10m',
  schema: { ts: 'timestamp', card: 'string', merchant: 'string', amount: 'number', country: 'string' },
});
const card = entity('card', { key: 'card' });
const windowed = featureView('windowed', tx, { entity: card, features: {
  n: count({ window: '1h' }),
  total: sum('amount', { window: '1d' }),
  avg: mean('amount', { window: '1d' }),
  sd: std('amount', { window: '7d' }),
  top: max('amount', { window: '7d' }),
  low: min('amount', { window: '1d' }),
  countries: approxDistinct('country', { window: '1d' }),
  recent: lastK('merchant', { k: 3, window: '1d' }),
} });
const lifetime = featureView('lifetime', tx, { entity: card, features: {
  n: count(),
  sd: std('amount'),
  top: max('amount'),
  low: min('amount'),
  merchants: approxDistinct('merchant'),
  lastCountry: last('country'),
  recent: lastK('amount', { k: 4 }),
} });
const project = defineProject({ views: [windowed, lifetime] });

/** The generated events, a little out of order (within the allowed lateness). */
function events(): Record<string, unknown>[] {
  const table = generateTransactions({ events: 20_000, cards: 150, merchants: 40 });
  const names = [...table.columns.keys()];
  const rows = Array.from({ length: table.length }, (_, i) => Object.fromEntries(names.map((n) => [n, columnValue(table.columns.get(n)!, i)])));
  for (let i = 0; i + 1 < rows.length; i += 7) [rows[i], rows[i + 1]] = [rows[i + 1]!, rows[i]!];
  return rows;
}

async function roundTrip(engine: StreamEngine, p: Project = project): Promise<StreamEngine> {
  const lines = [...engine.snapshotLines({ offset: 42 })];
  const { engine: restored, meta } = await StreamEngine.restore(p, lines);
  expect(meta).toEqual({ offset: 42 });
  return restored;
}

describe('snapshots of the online state', () => {
  it('restore to an engine that reads, and goes on, bit for bit like one never snapshotted', async () => {
    const all = events();
    const straight = new StreamEngine(project);
    const stopped = new StreamEngine(project);
    const half = all.length / 2;
    all.forEach((e, i) => {
      straight.apply('tx', e);
      if (i < half) stopped.apply('tx', e);
    });
    let resumed = await roundTrip(stopped);
    for (const e of all.slice(half, half + 5_000)) resumed.apply('tx', e);
    resumed = await roundTrip(resumed); // twice, mid-stream
    for (const e of all.slice(half + 5_000)) resumed.apply('tx', e);

    expect(resumed.appliedCount).toBe(straight.appliedCount);
    const end = straight.watermark('tx');
    for (const at of [end + 1, end - 5 * 60_000, end + 3 * 3_600_000]) {
      for (let c = 0; c < 150; c++) {
        const key = `card${String(c).padStart(5, '0')}`;
        for (const view of ['windowed', 'lifetime']) expect(resumed.read(view, key, { at }), `${view} ${key} at ${at}`).toEqual(straight.read(view, key, { at }));
      }
    }
  });

  it('are refused when a view was defined differently since', async () => {
    const engine = new StreamEngine(project);
    engine.apply('tx', { ts: 0, card: 'c', merchant: 'm', amount: 1, country: 'US' });
    const changed = defineProject({
      views: [featureView('windowed', tx, { entity: card, features: { n: count({ window: '2h' }) } }), lifetime],
    });
    await expect(roundTrip(engine, changed)).rejects.toThrow("the snapshot was taken with another definition of view 'windowed'");
  });
});
