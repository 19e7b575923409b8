export { TandemError, ERROR_CODES, type ErrorCode } from './errors.js';
export { parseDuration, formatDuration, type Duration } from './features/duration.js';
export type { FieldType, FieldSpec, FieldOptions, PiiAction, Schema, EventOf } from './features/schema.js';
export { source, type Source, type SourceOptions, type EventOfSource } from './features/source.js';
export { entity, type Entity, type EntityOptions } from './features/entity.js';
export {
  count,
  sum,
  mean,
  ratio,
  min,
  max,
  variance,
  std,
  last,
  lastK,
  approxDistinct,
  type Aggregation,
  type AggregationKind,
  type FeatureValue,
  type Scalar,
} from './features/aggregations.js';
export { featureView, type FeatureView, type ValuesOf } from './features/feature-view.js';
export { requestFeatures, type RequestFeatures } from './features/request-features.js';
export { defineProject, type Project, type ProjectOptions } from './features/project.js';
export { model, type ModelDefinition, type ModelOptions, type TimeSplit } from './features/model.js';
export type { MonitoringOptions, RetrainOptions as ModelRetrainOptions, AlertOptions, AlertCondition, AlertAction, PerformanceMetric } from './features/model-monitoring.js';
export { job, type JobOptions, type JobTask, type JobDefinitionInProject } from './features/job.js';
export {
  backfill,
  backfillParallel,
  backfillRows,
  releaseBackfillMemory,
  StreamEngine,
  evaluateRequestFeatures,
  type BackfillOptions,
  type BackfillResult,
  type BackfillRowsOptions,
  type ApplyResult,
  type RejectedEvent,
  type ReadOptions,
  type StreamEngineOptions,
  type PageSizes,
  type EntityKey,
} from './engine/index.js';
export {
  readTable,
  writeTable,
  tableFromRows,
  tableToRows,
  type Table,
  type Column,
  type ColumnType,
  type ReadTableOptions,
  type WriteTableOptions,
  type FileFormat,
} from './io/index.js';
export {
  FileEventLog,
  JetStreamEventLog,
  openEventLog,
  type EventLog,
  type LogRecord,
  type AppendOptions,
  type AppendResult,
  type Durability,
  type RetentionPolicy,
  type FileEventLogOptions,
  type JetStreamEventLogOptions,
  type OpenEventLogOptions,
} from './log/index.js';
export {
  partitionOf,
  MemoryPartitionStore,
  RedisPartitionStore,
  openPartitionStore,
  type PartitionStateStore,
  type PartitionCommit,
  type Checkpoint,
  type EntityStateWrite,
} from './online/index.js';
export {
  PartitionRouter,
  PartitionProcessor,
  PartitionedStreamWorker,
  assignPartitions,
  openSharedState,
  type StreamWorkerOptions,
  type StreamWorkerStatus,
  type SharedState,
} from './streaming/index.js';
export { SharedOnlineFeatures } from './serving/shared-features.js';
export type { Row, Task, Model, BatchModel, OnlineModel, FitOptions, FitReport } from './models/model.js';
export { dataset, datasetFromRows, type Dataset } from './models/dataset.js';
export { serializeArtifact, parseArtifact, type ModelArtifact } from './models/artifact.js';
export { loadModel, algorithmKinds, findAlgorithm, type Algorithm } from './models/catalog.js';
export { trainModel, type TrainOptions, type TrainResult } from './training/train.js';
export { buildTrainingSet, datasetOf, type TrainingSet } from './training/training-set.js';
export { LoadedModel, serializeBundle, parseBundle, type ModelBundle } from './training/bundle.js';
export type { ModelRegistry, ModelVersion, NewVersion, Lineage, AuditEntry, RegistryLocation } from './registry/registry.js';
export { SqliteRegistry, type SqliteRegistryOptions } from './registry/sqlite/sqlite-registry.js';
export {
  rocAuc,
  prAuc,
  logLoss,
  brierScore,
  binaryReport,
  regressionReport,
  reliabilityBins,
  RollingBinaryMetrics,
  RollingRegressionMetrics,
  prequential,
  type BinaryReport,
  type RegressionReport,
  type PrequentialReport,
} from './models/metrics/index.js';
export { Prior } from './models/baseline/prior.js';
export { Gbdt, gbdt, type GbdtParamsInput as GbdtParams, type GbdtFitReport } from './models/gbdt/index.js';
export { LogisticRegression, logisticRegression, LinearRegression, linearRegression } from './models/linear/index.js';
export { KMeans, kMeans } from './models/kmeans/index.js';
export { IsolationForest, isolationForest } from './models/isolation-forest/index.js';
export { HoltWinters, holtWinters, type Forecaster } from './models/holt-winters/index.js';
export { PostgresRegistry, type PostgresRegistryOptions } from './registry/postgres/postgres-registry.js';
export { openRegistry, openRegistryAt } from './registry/open-registry.js';
export {
  Predictor,
  loadServedModels,
  loadServedModel,
  servedVersions,
  scorerOf,
  type PredictorOptions,
  type PredictOptions,
  type PredictRequest,
  type Prediction,
  type ServingOptions,
  type Rule,
  type FallbackStep,
  type Scorer,
  type ServedModel,
  type ServedVersion,
  type ServedVersions,
} from './serving/index.js';
export type { FeedbackResult } from './serving/feedback.js';
// Embedding: what `tandem serve` runs, in your own process (docs/serving.md, "Embedding").
export { OnlineRuntime, type OnlineRuntimeOptions, type RuntimeServingOptions, type SharedStateOptions } from './server/online-runtime.js';
export { buildApp, type AppOptions } from './server/app.js';
export { ApiKeyStore } from './server/api-keys.js';
export { PiiProtector } from './ingest/index.js';
export { loadProject } from './config/load-project.js';
export {
  Ftrl,
  ftrl,
  OnlineLinearRegression,
  onlineLinearRegression,
  HoeffdingTree,
  hoeffdingTree,
  HalfSpaceTrees,
  halfSpaceTrees,
  StreamingStandardScaler,
  streamingStandardScaler,
  type OnlineTransformer,
} from './models/online/index.js';
export * from './monitoring/types.js';
export { profileColumn, profileDataset, type DatasetColumn, type ProfileDatasetInput } from './monitoring/profile/index.js';
export {
  columnDrift,
  datasetDrift,
  DriftWindow,
  ksTest,
  chiSquare,
  zTest,
  psi,
  jensenShannon,
  wasserstein,
  normalizedWasserstein,
  DEFAULT_THRESHOLDS,
  type ColumnDriftOptions,
  type DriftWindowOptions,
} from './monitoring/drift/index.js';
export { createDetector, loadDetector, type DetectorSpec, type DriftDetector, type DetectorState } from './monitoring/detectors/index.js';
export { measureDrift } from './monitoring/measure-drift.js';
export { measureSkew, type SkewReport } from './monitoring/skew.js';
export { Monitor, type MonitorOptions } from './monitoring/monitor.js';
export { renderReport, type ReportInput } from './monitoring/report/index.js';
export { dashboardRoutes, type DashboardOptions } from './dashboard/index.js';
export { Scheduler, CronSchedule, openJobStore, SqliteJobStore, PostgresJobStore, type JobDefinition, type JobContext, type JobRun, type JobStore, type SchedulerOptions } from './jobs/index.js';
export { retrainModel, beats, type GateDecision } from './training/retrain.js';
export { scorePopulation } from './training/score-population.js';
export { rollbackChampion } from './registry/rollback.js';
export { replay, formatReplay, type ReplayOptions, type ReplayReport } from './replay/index.js';
export { runFraudLive, type FraudLiveOptions, type FraudLiveReport } from './blueprints/fraud/live.js';
export { recommend, parseProfile, estimateCost } from './advise/index.js';
