import { z } from 'zod';
import { wholeNumber } from '../shared/params.js';

export const isolationForestParamsSchema = z.strictObject({
  /** Trees in the forest. @default 100 (Liu et al.: path lengths converge well before 100) */
  nTrees: wholeNumber(1, 100_000).default(100),
  /** Rows drawn without replacement for each tree (ψ); capped at the training rows. @default 256 */
  sampleSize: wholeNumber(2).default(256),
  /** Seed of the subsampling and the random splits. @default 0 */
  seed: wholeNumber(0, 2 ** 32 - 1).default(0),
});

export type IsolationForestParams = z.input<typeof isolationForestParamsSchema>;
export type ResolvedIsolationForestParams = z.output<typeof isolationForestParamsSchema>;
