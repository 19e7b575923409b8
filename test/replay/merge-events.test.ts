import { describe, expect, it } from 'vitest';
import { source } from '../../src/index.js';
import { tableFromRows } from '../../src/io/index.js';
import { mergeEvents } from '../../src/replay/merge-events.js';

const clicks = source('clicks', { timestamp: 'ts', schema: { ts: 'timestamp', user: 'string' } });
const views = source('views', { timestamp: 'at', schema: { at: 'timestamp', user: 'string' } });

describe('merging sources for replay', () => {
  it('orders every source’s events by time, ties in input then row order, events without a time first', () => {
    const a = tableFromRows([{ ts: 30, user: 'a' }, { ts: 10, user: 'b' }, { ts: 20, user: 'c' }, { ts: null, user: 'd' }], { ts: 'timestamp', user: 'string' });
    const b = tableFromRows([{ at: 20, user: 'e' }, { at: 5, user: 'f' }, { at: 20, user: 'g' }], { at: 'timestamp', user: 'string' });
    const merged = mergeEvents([
      { source: clicks, table: a },
      { source: views, table: b },
    ]);
    const order = Array.from({ length: merged.length }, (_, i) => `${merged.source[i]}:${merged.row[i]}`);
    expect(order).toEqual(['0:3', '1:1', '0:1', '0:2', '1:0', '1:2', '0:0']);
    expect(Array.from(merged.time)).toEqual([Number.NaN, 5, 10, 20, 20, 20, 30]);
  });

  it('reads ISO 8601 text times as the engine does', () => {
    const text = tableFromRows([{ ts: '2026-01-02T00:00:00Z' }, { ts: '2026-01-01' }], { ts: 'string' });
    const merged = mergeEvents([{ source: clicks, table: text }]);
    expect(Array.from(merged.row)).toEqual([1, 0]);
    expect(merged.time[0]).toBe(Date.UTC(2026, 0, 1));
  });
});
