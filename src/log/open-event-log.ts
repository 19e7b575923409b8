import { join } from 'node:path';
import { TandemError, quote } from '../errors.js';
import type { Durability, EventLog, RetentionPolicy } from './event-log.js';
import { FileEventLog } from './file/file-event-log.js';
import { JetStreamEventLog } from './jetstream/jetstream-event-log.js';

export interface OpenEventLogOptions {
  /** Where the embedded log keeps its folder `<dataDir>/<name>`. */
  readonly dataDir: string;
  /** The log's name: `events`, `dead-letters`. */
  readonly name: string;
  /** The embedded log's durability; on JetStream the server's settings decide (see docs/scale-out.md). */
  readonly durability?: Durability;
  readonly retention?: RetentionPolicy;
  /** Where to read TANDEM_LOG_URL and TANDEM_LOG_STREAM_PREFIX. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Open the log the deployment is configured for: with `TANDEM_LOG_URL=nats://host:4222` (several
 * servers separated by commas) the JetStream stream `TANDEM_<NAME>` (the prefix from
 * `TANDEM_LOG_STREAM_PREFIX` when set; the name upper-cased, other characters than letters and
 * digits as `_`); without it, the embedded log in `<dataDir>/<name>`.
 */
export async function openEventLog(options: OpenEventLogOptions): Promise<EventLog> {
  const env = options.env ?? process.env;
  const url = env['TANDEM_LOG_URL']?.trim();
  if (url === undefined || url === '') {
    return FileEventLog.open(join(options.dataDir, options.name), {
      ...(options.durability === undefined ? {} : { durability: options.durability }),
      ...(options.retention === undefined ? {} : { retention: options.retention }),
    });
  }
  const servers = url.split(',').map((s) => s.trim());
  const other = servers.find((s) => !s.startsWith('nats://'));
  if (other !== undefined) {
    throw new TandemError('TANDEM_USAGE', `TANDEM_LOG_URL ${quote(url)}: ${quote(other)} is not a nats:// URL; the event log runs on NATS JetStream (nats://host:4222) or, with TANDEM_LOG_URL unset, on local files`);
  }
  const prefix = env['TANDEM_LOG_STREAM_PREFIX'] ?? 'TANDEM_';
  return JetStreamEventLog.open({
    servers,
    stream: `${prefix}${options.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
    ...(options.retention === undefined ? {} : { retention: options.retention }),
  });
}
