import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { approxDistinct, count, defineProject, entity, featureView, last, lastK, max, mean, min, source, std, StreamEngine, sum } from '../../src/index.js';
import { generateTransactions } from '../../src/demo/transactions.js';
import { columnValue } from '../../src/io/column-value.js';
import type { Project } from '../../src/index.js';
import { v1Events, v1Project } from './fixtures/snapshot-v1.js';

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

describe('snapshots of format version 1', () => {
  it('restore with sums over the newest event’s window, reading and going on like an engine that applied everything', async () => {
    const lines = readFileSync(new URL('./fixtures/snapshot-v1.ndjson', import.meta.url), 'utf8').split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ version: 1 });
    const { engine, meta } = await StreamEngine.restore(v1Project, lines);
    expect(meta).toEqual({ offset: 400 });
    const before = v1Events(400);
    const after = v1Events(200, (before.at(-1)!.ts as number) + 1_000, 99);
    const fresh = new StreamEngine(v1Project);
    for (const e of before) fresh.apply('tx', e);
    const close = (got: Record<string, unknown>, want: Record<string, unknown>): void => {
      for (const [name, value] of Object.entries(want)) {
        const g = got[name];
        if (typeof value !== 'number' || typeof g !== 'number') expect(g, name).toEqual(value);
        else expect(Math.abs(g - value), name).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(value), 1));
      }
    };
    for (const card of ['c0', 'c1', 'c2']) close(engine.read('by_card', card, { at: engine.watermark('tx') + 1 }), fresh.read('by_card', card, { at: fresh.watermark('tx') + 1 }));
    // Late events first, older than the newest event's 1-minute window but within the lateness.
    const late = ['c0', 'c1', 'c2'].map((card, i) => ({ ts: engine.watermark('tx') - 300_000 - i, card, amount: 12.5 + i }));
    for (const e of [...late, ...after]) {
      expect(engine.apply('tx', e).status).toBe('applied');
      fresh.apply('tx', e);
      close(engine.read('by_card', e.card as string, { at: (e.ts as number) + 1 }), fresh.read('by_card', e.card as string, { at: (e.ts as number) + 1 }));
    }
    // Written again, it is version 2.
    expect(JSON.parse([...engine.snapshotLines()][0]!)).toMatchObject({ version: 2 });
  });
});
