export type { AppendResult, Durability, EventLog, LogReadOptions, LogRecord, RetentionPolicy, RetentionResult } from './event-log.js';
export { FileEventLog, type FileEventLogOptions, type RecoveryReport } from './file/file-event-log.js';
