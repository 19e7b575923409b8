import { TandemError } from '../../errors.js';
import type { ColumnDrift, DatasetDrift } from '../types.js';

export interface DatasetDriftOptions {
  /**
   * The dataset drifted when at least this share of its columns did (Evidently's default).
   * @default 0.5
   */
  readonly share?: number;
  /** Epoch ms of the evaluation. @default Date.now() */
  readonly at?: number;
  /** Rows in the window. @default the largest `currentCount` among the columns */
  readonly windowSize?: number;
}

/** Whether a window drifted as a whole: the share of drifted columns against `share`. No columns, no drift. */
export function datasetDrift(columns: readonly ColumnDrift[], options: DatasetDriftOptions = {}): DatasetDrift {
  const shareThreshold = options.share ?? 0.5;
  if (!(shareThreshold > 0 && shareThreshold <= 1)) {
    throw new TandemError('TANDEM_INVALID_PARAMETER', `datasetDrift: share ${String(shareThreshold)} must lie in (0, 1]`);
  }
  let drifted = 0;
  let windowSize = 0;
  for (const column of columns) {
    if (column.drifted) drifted++;
    windowSize = Math.max(windowSize, column.currentCount);
  }
  const driftShare = columns.length === 0 ? 0 : drifted / columns.length;
  return {
    at: options.at ?? Date.now(),
    windowSize: options.windowSize ?? windowSize,
    columns,
    driftShare,
    drifted: columns.length > 0 && driftShare >= shareThreshold,
    shareThreshold,
  };
}
