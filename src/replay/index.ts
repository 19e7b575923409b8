export { replay } from './replay.js';
export { formatReplay } from './format.js';
export type {
  Comparison, Counts, Disagreement, ReplayMetrics, ReplayOptions, ReplayOutcome, ReplayReport, ReplayResult, ReplayVersion, VersionReport,
} from './types.js';
