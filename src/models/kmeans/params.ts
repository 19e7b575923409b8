import { z } from 'zod';
import { above, wholeNumber } from '../shared/params.js';

export const kMeansParamsSchema = z.strictObject({
  /** Number of clusters. */
  k: wholeNumber(1, 10_000),
  /** Restarts from different k-means++ seedings; the lowest inertia wins. @default 10 */
  nInit: wholeNumber(1, 1000).default(10),
  /** Lloyd iterations per restart at most. @default 300 */
  maxIterations: wholeNumber(1).default(300),
  /**
   * Converged when the centroids' total squared shift in one iteration is at most
   * tolerance × (mean of the features' variances), as scikit-learn. @default 1e-4
   */
  tolerance: above(0).default(1e-4),
  /** Seed of the seeding's random choices. @default 0 */
  seed: wholeNumber(0, 2 ** 32 - 1).default(0),
});

export type KMeansParams = z.input<typeof kMeansParamsSchema>;
export type ResolvedKMeansParams = z.output<typeof kMeansParamsSchema>;
