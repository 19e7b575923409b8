import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupByKey, keyIds, NO_POSITION, TableGroupings, timeOrder } from '../../src/engine/key-ids.js';
import { entity } from '../../src/index.js';
import { tableFromRows } from '../../src/io/table-from-rows.js';

const TYPES = { a: 'string', b: 'number', c: 'boolean' } as const;
const rowArb = fc.record({
  a: fc.oneof(fc.constant(null), fc.constantFrom('x', 'y', 'z', '42')),
  b: fc.oneof(fc.constant(null), fc.constantFrom(1, 2, 42, 7.5)),
  c: fc.oneof(fc.constant(null), fc.boolean()),
});

describe('keyIds', () => {
  it('gives equal keys one dense id across events and spine, and rows with a null part -1', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), fc.array(rowArb, { maxLength: 40 }), fc.constantFrom(['a'], ['a', 'b'], ['b', 'a', 'c']), fc.boolean(), (evRows, spRows, keys, sameTable) => {
        const events = tableFromRows(evRows, TYPES);
        const spine = sameTable ? events : tableFromRows(spRows, TYPES);
        const ids = keyIds(entity('e', { key: keys }), events, spine, 'v');
        const seen = new Map<string, number>();
        const check = (rows: readonly Record<string, unknown>[], got: Int32Array): void => {
          expect(got.length).toBe(rows.length);
          rows.forEach((row, i) => {
            const parts = keys.map((k) => row[k]);
            if (parts.some((p) => p === null)) {
              expect(got[i]).toBe(-1);
              return;
            }
            const key = JSON.stringify(parts.map(String));
            const id = got[i]!;
            expect(id).toBeGreaterThanOrEqual(0);
            expect(id).toBeLessThan(ids.count);
            if (seen.has(key)) expect(id).toBe(seen.get(key));
            else {
              expect([...seen.values()]).not.toContain(id);
              seen.set(key, id);
            }
          });
        };
        check(evRows, ids.events);
        check(sameTable ? evRows : spRows, ids.spine);
        // Dense: every id below the count names a key that occurs.
        expect(seen.size).toBe(ids.count);
      }),
      { numRuns: 300 },
    );
  });
});

describe('TableGroupings', () => {
  // The grouping of a table that is its own spine, as keyIds + groupByKey build it: each
  // group's rows in time order, then row order.
  const reference = (rows: readonly Record<string, unknown>[], keys: readonly string[], times: Float64Array): number[][] => {
    const table = tableFromRows(rows, TYPES);
    const ids = keyIds(entity('e', { key: [...keys] }), table, table, 'v');
    const grouping = groupByKey(ids.events, timeOrder(times), ids.count);
    return Array.from({ length: ids.count }, (_, g) => [...grouping.order.subarray(grouping.starts[g]!, grouping.starts[g + 1]!)]);
  };

  it('groups rows as the pair-table path does, whatever the order views ask in, sharing what they can', () => {
    const keyLists = [['a'], ['a', 'b'], ['b', 'a', 'c'], ['a', 'c'], ['b']] as const;
    fc.assert(
      fc.property(
        fc.array(fc.record({ row: rowArb, t: fc.integer({ min: 0, max: 5 }) }), { maxLength: 80 }),
        fc.shuffledSubarray([...keyLists], { minLength: 1 }),
        (items, asked) => {
          const rows = items.map((item) => item.row);
          const times = Float64Array.from(items, (item) => item.t);
          const table = tableFromRows(rows, TYPES);
          const views = asked.map((keys, v) => ({ entity: entity(`e${v}`, { key: [...keys] }), view: `v${v}` }));
          const groupings = new TableGroupings(table, timeOrder(times), views);
          for (const [v, keys] of asked.entries()) {
            const got = groupings.group(views[v]!.entity, views[v]!.view, (n) => new Uint32Array(n));
            const expected = reference(rows, keys, times);
            expect(got.count).toBe(expected.length);
            expect(got.starts.length).toBe(got.count + 1);
            const groups = Array.from({ length: got.count }, (_, g) => [...got.order.subarray(got.starts[g]!, got.starts[g + 1]!)]);
            // The same groups, each in the same order; numbered differently.
            const key = (group: number[]): string => group.join(',');
            expect(groups.map(key).sort()).toEqual(expected.map(key).sort());
            // Positions invert the order; rows with a null key part have none.
            const placed = new Set(got.order);
            for (let row = 0; row < rows.length; row++) {
              if (placed.has(row)) expect(got.order[got.position[row]!]).toBe(row);
              else expect(got.position[row]).toBe(NO_POSITION);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
