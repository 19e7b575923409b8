import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityGroupings, NO_POSITION, timeOrder } from '../../src/engine/key-ids.js';
import { entity } from '../../src/index.js';
import type { Table } from '../../src/io/table.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';

const TYPES = { a: 'string', b: 'number', c: 'boolean' } as const;
const rowArb = fc.record({
  a: fc.oneof(fc.constant(null), fc.constantFrom('x', 'y', 'z', '42')),
  b: fc.oneof(fc.constant(null), fc.constantFrom(1, 2, 42, 7.5)),
  c: fc.oneof(fc.constant(null), fc.boolean()),
});
const timedRows = fc.array(fc.record({ row: rowArb, t: fc.integer({ min: 0, max: 5 }) }), { maxLength: 60 });
const KEY_LISTS = [['a'], ['a', 'b'], ['b', 'a', 'c'], ['a', 'c'], ['b']] as const;

type Timed = { row: Record<string, unknown>; t: number };

/**
 * The obvious grouping: rows by their key's string form (so 42 and '42' are one key), each
 * group in time order then row order, rows with a null part in none.
 */
function reference(items: readonly Timed[], keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  const order = items.map((_, i) => i).sort((i, j) => items[i]!.t - items[j]!.t || i - j);
  for (const i of order) {
    const parts = keys.map((k) => items[i]!.row[k]);
    if (parts.some((p) => p === null)) continue;
    const key = JSON.stringify(parts.map(String));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  return groups;
}

describe('EntityGroupings', () => {
  it('groups events and spine by key, with one group number per key in both, whatever order views ask in', () => {
    let refined = 0;
    fc.assert(
      fc.property(timedRows, timedRows, fc.boolean(), fc.shuffledSubarray([...KEY_LISTS], { minLength: 1 }), (evItems, spItems, sameTable, asked) => {
        const events = tableFromRows(evItems.map((item) => item.row), TYPES);
        const spine: Table = sameTable ? events : tableFromRows(spItems.map((item) => item.row), TYPES);
        const spineItems = sameTable ? evItems : spItems;
        const byTime = (items: readonly Timed[]): Uint32Array => timeOrder(Float64Array.from(items, (item) => item.t));
        const views = asked.map((keys, v) => ({ entity: entity(`e${v}`, { key: [...keys] }), view: `v${v}` }));
        const groupings = new EntityGroupings(events, byTime(evItems), spine, byTime(spineItems), views);
        for (const [v, keys] of asked.entries()) {
          const got = groupings.group(views[v]!.entity, views[v]!.view, (n) => new Uint32Array(n));
          if (sameTable) expect(got.spine).toBe(got.events);
          const expected = [reference(evItems, keys), reference(spineItems, keys)] as const;
          const distinct = new Set([...expected[0].keys(), ...expected[1].keys()]);
          expect(got.count).toBe(distinct.size);
          const numberOf = new Map<string, number>();
          [got.events, got.spine].forEach((grouping, side) => {
            expect(grouping.starts.length).toBe(got.count + 1);
            const groups = Array.from({ length: got.count }, (_, g) => [...grouping.order.subarray(grouping.starts[g]!, grouping.starts[g + 1]!)]);
            // Each key's rows, in order, under one group number in both tables.
            const want = side === 0 ? expected[0] : expected[1];
            for (const [key, rows] of want) {
              const g = groups.findIndex((group) => group.length > 0 && group[0] === rows[0]);
              expect(groups[g]).toEqual(rows);
              if (numberOf.has(key)) expect(g).toBe(numberOf.get(key));
              numberOf.set(key, g);
            }
            expect(groups.flat().length).toBe([...want.values()].flat().length);
            // A grouping split from a kept one says where each of its rows sits in that one.
            if (grouping.refines !== undefined) {
              refined++;
              const { parent, via } = grouping.refines;
              expect(via.length).toBe(grouping.order.length);
              for (let p = 0; p < via.length; p++) expect(parent.order[via[p]!]).toBe(grouping.order[p]);
            }
            // Positions invert the order; rows with a null key part have none.
            const rows = side === 0 ? evItems.length : spineItems.length;
            expect(grouping.position.length).toBe(rows);
            const placed = new Set(grouping.order);
            for (let row = 0; row < rows; row++) {
              if (placed.has(row)) expect(grouping.order[grouping.position[row]!]).toBe(row);
              else expect(grouping.position[row]).toBe(NO_POSITION);
            }
          });
        }
      }),
      { numRuns: 400 },
    );
    expect(refined).toBeGreaterThan(0);
  });
});

describe('timeOrder', () => {
  // Mostly in order with some rows late (as event logs arrive), or shuffled (the comparison
  // sort's fallback), with ties and infinite times.
  const time = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(-Infinity, Infinity));
  const nearlySorted = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.nat({ max: 6 }), fc.boolean()), { maxLength: 200 })
    .map((rows) => rows.map(([t, late, isLate], i) => (isLate ? t - late : Math.floor(i / 3))));
  const times = fc.oneof(fc.array(time, { maxLength: 200 }), nearlySorted, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 300, maxLength: 600 }));

  it('is the stable order of rows by time, in memory that held anything', () => {
    fc.assert(
      fc.property(times, (values) => {
        const column = Float64Array.from(values);
        const expected = values.map((_, i) => i).sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
        const got = timeOrder(column, (n) => new Uint32Array(n).fill(0xdeadbeef));
        expect([...got]).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
