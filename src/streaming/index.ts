export { StreamProcessor, type ProcessResult, type StreamProcessorOptions } from './stream-processor.js';
export { readSnapshot, writeSnapshot, type SnapshotMeta } from './snapshot-file.js';
export { PartitionRouter } from './partitioned/partition-router.js';
export { PartitionProcessor, type PartitionProcessorOptions, type PartitionStep } from './partitioned/partition-processor.js';
export { PartitionedStreamWorker, assignPartitions, type StreamWorkerOptions, type StreamWorkerStatus } from './partitioned/stream-worker.js';
export { openSharedState, openPartitionLog, partitionCount, type SharedState } from './partitioned/open-shared-state.js';
