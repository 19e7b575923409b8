/** Rows per block, at least; a node is cut into at most MAX_BLOCKS blocks. */
const MIN_BLOCK_ROWS = 8192;
const MAX_BLOCKS = 8;

/**
 * The fixed blocks a node's rows are cut into for parallel work. They depend on the node's size
 * only, never on the thread count, so one thread or eight add the same numbers in the same order.
 */
export function blocksOf(rows: number): number {
  return Math.max(1, Math.min(MAX_BLOCKS, Math.floor(rows / MIN_BLOCK_ROWS)));
}
