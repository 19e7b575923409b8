import { MISSING_BIN } from './binning.js';

/**
 * Stable partition of one block of a node's rows, `indices[start..end)`, into
 * `scratch[start..end)`: rows going left forwards from `start`, rows going right backwards from
 * `end − 1`. Branch-free: each row is written to both sides and only its side advances (a
 * mispredicted branch per row costs more). Returns the number of rows going left.
 */
export function partitionBlock(
  column: Uint8Array,
  indices: Uint32Array,
  scratch: Uint32Array,
  start: number,
  end: number,
  bin: number,
  defaultLeft: boolean,
): number {
  let left = start;
  let right = end - 1;
  let lefts = 0;
  const missing = defaultLeft ? MISSING_BIN : -1;
  for (let i = start; i < end; i++) {
    const r = indices[i] as number;
    const code = column[r] as number;
    // Number(comparison) compiles to a flag move; `c ? 1 : 0` to a branch.
    const goLeft = Number(code <= bin) | Number(code === missing);
    // Left first: when the row goes right, its right write lands on or after this one.
    scratch[left] = r;
    scratch[right] = r;
    left += goLeft;
    right += goLeft - 1;
    lefts += goLeft;
  }
  // Counted in the loop: an operation after it would have no type feedback when the loop is
  // compiled on the stack (OSR), and V8 then deoptimised this function on every call.
  return lefts;
}

/**
 * Moves a partitioned block back into `indices`: its `lefts` rows to `indices[leftAt..]` and
 * its right rows, in their original order, to `indices[rightAt..]`. Blocks of one node move to
 * disjoint places computed from the counts of the blocks before them, which keeps the whole
 * node's partition stable: lefts then rights, each in ascending row order.
 */
export function moveBlock(indices: Uint32Array, scratch: Uint32Array, start: number, end: number, lefts: number, leftAt: number, rightAt: number): void {
  for (let k = 0; k < lefts; k++) indices[leftAt + k] = scratch[start + k] as number;
  const rights = end - start - lefts;
  for (let k = 0; k < rights; k++) indices[rightAt + k] = scratch[end - 1 - k] as number;
}
