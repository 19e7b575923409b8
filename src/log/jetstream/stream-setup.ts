import { DiscardPolicy, RetentionPolicy as StreamRetention, StorageType, nanos, type JetStreamManager, type StreamInfo } from 'nats';
import { TandemError, quote } from '../../errors.js';
import type { RetentionPolicy } from '../event-log.js';

const STREAM_NAME = /^[A-Za-z0-9_-]{1,200}$/;
/** JetStream's default window for recognising a repeated Nats-Msg-Id. */
const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/** The one subject every record of the log is published on. */
export function recordSubject(stream: string): string {
  return `tandem.log.${stream}`;
}

/** The key-value bucket (itself the stream `KV_<bucket>`) holding the consumers' committed offsets. */
export function consumerBucket(stream: string): string {
  return `${stream}_consumers`;
}

export function checkStreamName(stream: string): void {
  if (!STREAM_NAME.test(stream)) {
    throw new TandemError('TANDEM_USAGE', `event log stream name ${quote(stream)} is invalid; use up to 200 letters, digits, '_' or '-'`);
  }
}

/**
 * Find the log's stream, or create it: file storage, limits retention, one subject. An existing
 * stream must be one the log can use as is; with a retention policy given, its age and size
 * limits are set to that policy (absent limits become unlimited). Without one they are left as
 * they are, so a process that only reads does not undo the writer's retention.
 */
export async function ensureStream(jsm: JetStreamManager, stream: string, retention: RetentionPolicy | undefined): Promise<StreamInfo> {
  const subject = recordSubject(stream);
  const limits = retention === undefined ? undefined : { max_age: nanos(retention.maxAgeMs ?? 0), max_bytes: retention.maxBytes ?? -1 };
  // JetStream wants the window in which it recognises repeated ids to fit in the age limit.
  const duplicateWindow = (current: number): number => (limits !== undefined && limits.max_age > 0 ? Math.min(current, limits.max_age) : current);
  const info = await jsm.streams.info(stream).catch((error: unknown) => {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  });
  if (info === undefined) {
    return jsm.streams.add({
      name: stream,
      subjects: [subject],
      storage: StorageType.File,
      retention: StreamRetention.Limits,
      discard: DiscardPolicy.Old,
      ...limits,
      duplicate_window: duplicateWindow(nanos(DEFAULT_DUPLICATE_WINDOW_MS)),
    });
  }
  const { config } = info;
  const problems = [
    config.subjects.length !== 1 || config.subjects[0] !== subject ? `subjects ${quote(config.subjects)} (expected only ${quote(subject)})` : undefined,
    config.storage !== StorageType.File ? `storage ${quote(config.storage)} (expected 'file')` : undefined,
    config.retention !== StreamRetention.Limits ? `retention ${quote(config.retention)} (expected 'limits'; other policies delete records once read)` : undefined,
    config.discard !== DiscardPolicy.Old ? `discard ${quote(config.discard)} (expected 'old')` : undefined,
    config.max_msgs_per_subject > 0 ? `max_msgs_per_subject ${config.max_msgs_per_subject} (expected unlimited)` : undefined,
    config.sealed === true ? 'it is sealed' : undefined,
  ].filter((p) => p !== undefined);
  if (problems.length > 0) {
    throw new TandemError('TANDEM_USAGE', `JetStream stream '${stream}' exists but cannot hold an event log: ${problems.join('; ')}. Use another stream name, or fix or remove the stream.`);
  }
  if (limits !== undefined && (config.max_age !== limits.max_age || config.max_bytes !== limits.max_bytes)) {
    return jsm.streams.update(stream, { ...limits, duplicate_window: duplicateWindow(config.duplicate_window) });
  }
  return info;
}

function isStreamNotFound(error: unknown): boolean {
  return (error as { api_error?: { err_code?: number } }).api_error?.err_code === 10059;
}
