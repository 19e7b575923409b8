import { describe, expect, it } from 'vitest';
import { MISSING_BIN } from '../../../src/models/gbdt/binning.js';
import { RowPartitioner } from '../../../src/models/gbdt/partitioner.js';
import { allocateWork } from '../../../src/models/gbdt/work.js';
import { uniform } from './data.js';

describe('gbdt row partitioner', () => {
  it('splits nodes cut into blocks exactly as a sequential stable partition would', () => {
    const rows = 60_000;
    const next = uniform(6);
    const column = Uint8Array.from({ length: rows }, () => (next() < 0.1 ? MISSING_BIN : Math.floor(next() * 20)));
    const work = allocateWork({ rows, features: 1, shared: false });
    work.columns.set(column);
    for (let r = 0; r < rows; r++) work.indices[r] = r;
    // Two nodes: the first 45,000 rows (several blocks) and the rest (one block).
    const nodes = [
      { start: 0, end: 45_000, feature: 0, bin: 7, defaultLeft: true },
      { start: 45_000, end: rows, feature: 0, bin: 12, defaultLeft: false },
    ];
    const expected = nodes.map(({ start, end, bin, defaultLeft }) => {
      const rowsOf = Array.from({ length: end - start }, (_, i) => start + i);
      const goesLeft = (r: number): boolean => (column[r] === MISSING_BIN ? defaultLeft : (column[r] as number) <= bin);
      return { left: rowsOf.filter(goesLeft), right: rowsOf.filter((r) => !goesLeft(r)) };
    });
    const mids = new RowPartitioner(work, undefined).split(nodes);
    nodes.forEach((node, i) => {
      const { left, right } = expected[i]!;
      expect(mids[i]).toBe(node.start + left.length);
      expect([...work.indices.subarray(node.start, mids[i])]).toEqual(left);
      expect([...work.indices.subarray(mids[i], node.end)]).toEqual(right);
    });
  });
});
