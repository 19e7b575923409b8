import { TandemError } from '../../errors.js';
import type { EventLog } from '../../log/event-log.js';
import { openEventLog } from '../../log/open-event-log.js';
import { openPartitionStore } from '../../online/open-partition-store.js';
import type { PartitionStateStore } from '../../online/partition-store.js';

export interface SharedState {
  readonly store: PartitionStateStore;
  /** The partitions' event logs, in partition order. */
  readonly logs: readonly EventLog[];
  readonly deadLetters: EventLog;
  close(): Promise<void>;
}

/**
 * The partition count a command runs with: `--partitions`, else `TANDEM_PARTITIONS`;
 * undefined when neither is set (one process holds the whole state).
 */
export function partitionCount(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): number | undefined {
  const text = flag ?? (env['TANDEM_PARTITIONS'] === '' ? undefined : env['TANDEM_PARTITIONS']);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 4_096) {
    throw new TandemError('TANDEM_USAGE', `the partition count (${flag === undefined ? 'TANDEM_PARTITIONS' : '--partitions'}) must be a whole number from 1 to 4096, got '${text}'`);
  }
  return n;
}

/** The Redis key prefix of this deployment's online state: `TANDEM_ONLINE_NAMESPACE`, default `tandem`. */
export function onlineNamespace(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['TANDEM_ONLINE_NAMESPACE'] || 'tandem';
}

/** The log of partition p: `events-p<p>` (JetStream stream TANDEM_EVENTS_P<p> with TANDEM_LOG_URL). */
export function openPartitionLog(dataDir: string, partition: number): Promise<EventLog> {
  return openEventLog({ dataDir, name: `events-p${partition}` });
}

/**
 * Everything a scale-out process shares with the others: the state store (TANDEM_ONLINE_URL:
 * Redis), every partition's event log and the dead letters (TANDEM_LOG_URL: NATS JetStream).
 * `namespace` keeps deployments sharing one Redis apart (TANDEM_ONLINE_NAMESPACE).
 */
export async function openSharedState(options: { readonly dataDir: string; readonly partitions: number; readonly namespace?: string }): Promise<SharedState> {
  // Partitions exist to be shared by processes: in-process state or a local log would not be.
  for (const [name, what] of [['TANDEM_ONLINE_URL', 'the shared online state (redis://…)'], ['TANDEM_LOG_URL', 'the shared event log (nats://…)']] as const) {
    if (!process.env[name]) throw new TandemError('TANDEM_USAGE', `partitions are shared by several processes: set ${name} to ${what}`);
  }
  const store = await openPartitionStore({ partitions: options.partitions, namespace: options.namespace ?? onlineNamespace() });
  const opened: EventLog[] = [];
  try {
    for (let p = 0; p < options.partitions; p++) opened.push(await openPartitionLog(options.dataDir, p));
    const deadLetters = await openEventLog({ dataDir: options.dataDir, name: 'dead-letters' });
    return {
      store,
      logs: opened,
      deadLetters,
      async close() {
        for (const log of opened) await log.close();
        await deadLetters.close();
        await store.close();
      },
    };
  } catch (error) {
    for (const log of opened) await log.close();
    await store.close();
    throw error;
  }
}
