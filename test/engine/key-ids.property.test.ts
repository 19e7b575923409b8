import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyIds } from '../../src/engine/key-ids.js';
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
