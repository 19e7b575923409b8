export { Predictor, type PredictorOptions, type PredictOptions } from './predictor.js';
export { scorerOf } from './scorer.js';
export { loadServedModels, loadServedModel, servedVersions, SERVED_ALIAS, type ServedVersions } from './load-served-models.js';
export { ChampionWatcher, type ChampionWatcherOptions } from './champion-watcher.js';
export { PredictionLog, type PredictionLogOptions, type LoggedPrediction, type FeedbackRecord, type ShadowRecord } from './prediction-log.js';
export { applyFeedback, type FeedbackResult } from './feedback.js';
export { ServingMetrics } from './serving-metrics.js';
export type { PredictRequest, Prediction, FallbackUse, Scorer, ServedModel, ServedVersion } from './types.js';
export type { ServingOptions, FallbackStep, Rule, RuleInput, FallbackReason, FallbackKind, ServingFeatures } from '../features/model-serving.js';
