export { runPersonalizationBlueprint, PERSONALIZATION_SCALES, type PersonalizationOptions, type PersonalizationReport, type PersonalizationScale, type Comparison } from './run.js';
export { formatPersonalizationReport } from './format.js';
export { generateSessions, SESSION_STRUCTURE, type SessionEvent, type SessionData, type SessionOptions, type Catalog, type EventType } from './sessions.js';
export { personalizationProject, candidateFeatures, RERANK_FEATURES } from './project.js';
export { CoOccurrence, type CoOccurrenceOptions } from './co-occurrence.js';
export { runNightly, type NightlyCandidates, type NightlyList, type NightlyOptions } from './nightly.js';
export { gatherCandidates, type Candidate, type RequestContext } from './candidates.js';
export type { RankingMetrics } from './ranking-metrics.js';
