export { backfill, type BackfillOptions, type BackfillResult, type BackfillRejection } from './backfill.js';
export { backfillParallel } from './backfill-parallel.js';
export { releaseBackfillMemory } from './buffer-arena.js';
export { backfillRows, type BackfillRowsOptions } from './backfill-rows.js';
export { StreamEngine, type ApplyResult, type EntityRead, type RejectedEvent, type ReadOptions, type StreamEngineOptions } from './stream.js';
export type { PageSizes } from './ring-arena.js';
export { evaluateRequestFeatures } from './request-eval.js';
export { keyOf, type EntityKey } from './keys.js';
export { planView, type ViewPlan } from './plan.js';
