import { MISSING_BIN } from './binning.js';

/**
 * Stable partition of one block of a node's rows, `indices[start..end)`, into the block's own
 * region of `scratch`, twice its size: rows going left forwards from `2 start`, rows going right
 * forwards from `2 start + (end − start)`, each in their original order. Branch-free: each row
 * is written to both sides and only its side advances (a mispredicted branch per row costs
 * more). Returns the number of rows going left.
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
  const first = 2 * start;
  let left = first;
  let right = first + (end - start);
  const missing = defaultLeft ? MISSING_BIN : -1;
  for (let i = start; i < end; i++) {
    const r = indices[i] as number;
    const code = column[r] as number;
    // Number(comparison) compiles to a flag move; `c ? 1 : 0` to a branch.
    const goLeft = Number(code <= bin) | Number(code === missing);
    scratch[left] = r;
    scratch[right] = r;
    left += goLeft;
    right += 1 - goLeft;
  }
  // Counted in the loop: an operation after it would have no type feedback when the loop is
  // compiled on the stack (OSR), and V8 then deoptimised this function on every call.
  return left - first;
}

/**
 * Moves a partitioned block back into `indices`: its `count` lefts to `indices[leftAt..]` and
 * its rights to `indices[rightAt..]`, as two block copies. Blocks of one node move to disjoint
 * places computed from the counts of the blocks before them, which keeps the whole node's
 * partition stable: lefts then rights, each in ascending row order.
 */
export function moveBlock(indices: Uint32Array, scratch: Uint32Array, start: number, end: number, count: number, leftAt: number, rightAt: number): void {
  const first = 2 * start;
  const rights = first + (end - start);
  indices.set(scratch.subarray(first, first + count), leftAt);
  indices.set(scratch.subarray(rights, rights + (end - start - count)), rightAt);
}
