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
export {
  backfill,
  backfillParallel,
  backfillRows,
  StreamEngine,
  evaluateRequestFeatures,
  type BackfillOptions,
  type BackfillResult,
  type BackfillRowsOptions,
  type ApplyResult,
  type RejectedEvent,
  type ReadOptions,
  type StreamEngineOptions,
  type EntityKey,
} from './engine/index.js';
export type { Table, Column } from './io/table.js';
export {
  FileEventLog,
  type EventLog,
  type LogRecord,
  type AppendResult,
  type Durability,
  type RetentionPolicy,
  type FileEventLogOptions,
} from './log/index.js';
