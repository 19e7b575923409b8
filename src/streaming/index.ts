export { StreamProcessor, type ProcessResult, type StreamProcessorOptions } from './stream-processor.js';
export { readSnapshot, writeSnapshot, type SnapshotMeta } from './snapshot-file.js';
