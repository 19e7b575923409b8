export { CronSchedule, type CronField, type CronFields } from './cron.js';
export { systemClock, type Clock } from './clock.js';
export { DEFAULT_BACKOFF, backoffDelay, type JobContext, type JobDefinition } from './job-definition.js';
export type {
  Backoff,
  FinishRun,
  JobLease,
  JobRun,
  JobSnapshot,
  JobState,
  JobStore,
  RunStatus,
  RunTrigger,
  StartResult,
  StartRun,
} from './job-store.js';
export { SqliteJobStore, type SqliteJobStoreOptions } from './sqlite/sqlite-job-store.js';
export { PostgresJobStore, type PostgresJobStoreOptions } from './postgres/postgres-job-store.js';
export { openJobStore } from './open-job-store.js';
export { ManualClock } from './manual-clock.js';
export { Scheduler, type JobInfo, type JobLogEntry, type SchedulerOptions, type StartedRun, type TriggerResult } from './scheduler.js';
