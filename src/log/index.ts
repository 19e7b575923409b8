export type { AppendOptions, AppendResult, Durability, EventLog, LogReadOptions, LogRecord, RetentionPolicy, RetentionResult } from './event-log.js';
export { FileEventLog, type FileEventLogOptions, type RecoveryReport } from './file/file-event-log.js';
export { JetStreamEventLog, type JetStreamAppendOptions, type JetStreamAppendResult, type JetStreamEventLogOptions } from './jetstream/jetstream-event-log.js';
export { openEventLog, type OpenEventLogOptions } from './open-event-log.js';
