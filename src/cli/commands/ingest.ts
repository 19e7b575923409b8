import type { Command } from 'commander';
import { join } from 'node:path';
import { loadProject } from '../../config/load-project.js';
import { Ingestor } from '../../ingest/ingestor.js';
import { decodeDeadLetter } from '../../ingest/log-records.js';
import { PiiProtector } from '../../ingest/pii.js';
import { readTable, tableToRows } from '../../io/index.js';
import type { EventLog } from '../../log/event-log.js';
import { openEventLog } from '../../log/open-event-log.js';
import { openPartitionStore } from '../../online/open-partition-store.js';
import { TandemError } from '../../errors.js';
import { onlineNamespace, openSharedState, partitionCount } from '../../streaming/partitioned/open-shared-state.js';
import { PartitionRouter } from '../../streaming/partitioned/partition-router.js';
import { formatCount, formatSeconds } from '../format.js';

const CHUNK = 50_000;

/** Where a project's embedded data lives: the event log and the dead letters. */
export function dataDirs(dataDir: string): { events: string; deadLetters: string } {
  return { events: join(dataDir, 'events'), deadLetters: join(dataDir, 'dead-letters') };
}

/** Where `openEventLog` keeps the events and dead letters, for messages. */
function logLocations(dataDir: string): { events: string; deadLetters: string } {
  const url = process.env['TANDEM_LOG_URL'];
  if (!url) return dataDirs(dataDir);
  const prefix = process.env['TANDEM_LOG_STREAM_PREFIX'] ?? 'TANDEM_';
  return { events: `JetStream stream ${prefix}EVENTS`, deadLetters: `JetStream stream ${prefix}DEAD_LETTERS` };
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('validate events from a file and append them to the durable event log (invalid ones to the dead letters)')
    .argument('<file>', 'events (CSV, NDJSON or Parquet)')
    .requiredOption('--source <name>', 'the source the events belong to')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the event log and dead letters live', '.tandem')
    .option('--partitions <n>', "scale out: route events to this many partitions' logs on NATS (TANDEM_LOG_URL); default TANDEM_PARTITIONS")
    .action(async (file: string, flags: { source: string; config: string; dataDir: string; partitions?: string }) => {
      const started = performance.now();
      const project = await loadProject(flags.config);
      const partitions = partitionCount(flags.partitions);
      const dirs = partitions === undefined ? logLocations(flags.dataDir) : { events: `the logs of ${partitions} partitions`, deadLetters: logLocations(flags.dataDir).deadLetters };
      const pii = PiiProtector.fromEnvironment();
      for (const source of project.sources.values()) pii.check(source); // before anything is written
      const shared = partitions === undefined ? undefined : await openSharedState({ dataDir: flags.dataDir, partitions });
      const log = shared === undefined ? await openEventLog({ dataDir: flags.dataDir, name: 'events' }) : { router: new PartitionRouter(project, partitions!), logs: shared.logs };
      const deadLetters = shared?.deadLetters ?? (await openEventLog({ dataDir: flags.dataDir, name: 'dead-letters' }));
      try {
        const ingestor = new Ingestor(project, { log, deadLetters, pii });
        const rows = tableToRows(await readTable(file));
        let accepted = 0;
        let rejected = 0;
        let duplicates = 0;
        let first = -1;
        let last = -1;
        const reasons = new Map<string, number>();
        for (let i = 0; i < rows.length; i += CHUNK) {
          const result = await ingestor.ingest(flags.source, rows.slice(i, i + CHUNK));
          accepted += result.accepted;
          rejected += result.rejected;
          duplicates += result.duplicates;
          if (result.last >= result.first) {
            if (first < 0) first = result.first;
            last = result.last;
          }
          for (const { reason, count } of result.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + count);
        }
        const seconds = (performance.now() - started) / 1000;
        // Partitions have offsets of their own: there is no one range to print.
        const offsets = shared !== undefined ? '' : first < 0 ? ' (none)' : ` (offsets ${formatCount(first)}–${formatCount(last)})`;
        process.stdout.write(
          `ingest: ${formatCount(rows.length)} events from ${file} in ${formatSeconds(seconds)}: ${formatCount(accepted)} accepted → ${dirs.events}${offsets}, ` +
            `${formatCount(rejected)} rejected → ${dirs.deadLetters}${duplicates > 0 ? `, ${formatCount(duplicates)} duplicates already in the log` : ''}\n`,
        );
        for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
          process.stdout.write(`  ${formatCount(count)} × ${reason}\n`);
        }
      } finally {
        if (shared !== undefined) await shared.close();
        else {
          await (log as EventLog).close();
          await deadLetters.close();
        }
      }
    });

  program
    .command('dead-letters')
    .description('print rejected events with their reasons, as NDJSON')
    .option('--data-dir <dir>', 'where the event log and dead letters live', '.tandem')
    .option('--from <offset>', 'first dead letter to print', '0')
    .option('--limit <n>', 'how many to print', '100')
    .option('--partitions <n>', 'scale out: print the dead letters of the partitioned stream workers, kept in the state store (TANDEM_ONLINE_URL); default TANDEM_PARTITIONS')
    .action(async (flags: { dataDir: string; from: string; limit: string; partitions?: string }) => {
      const from = Number(flags.from);
      const limit = Number(flags.limit);
      if (!Number.isInteger(from) || from < 0) throw new TandemError('TANDEM_USAGE', `--from must be a position (0 or more), got '${flags.from}'`);
      if (!Number.isInteger(limit) || limit < 1) throw new TandemError('TANDEM_USAGE', `--limit must be a positive whole number, got '${flags.limit}'`);
      const partitions = partitionCount(flags.partitions);
      if (partitions !== undefined) {
        // Stream processing's rejections; ingestion's are in the dead-letter log, printed without --partitions.
        const store = await openPartitionStore({ partitions, namespace: onlineNamespace() });
        try {
          for (const { position, letter } of await store.deadLetters(from, limit)) process.stdout.write(`${JSON.stringify({ position, ...(JSON.parse(letter) as object) })}\n`);
        } finally {
          await store.close();
        }
        return;
      }
      const deadLetters = await openEventLog({ dataDir: flags.dataDir, name: 'dead-letters' });
      try {
        for (const record of await deadLetters.read(from, { max: limit })) {
          process.stdout.write(`${JSON.stringify({ offset: record.offset, ...decodeDeadLetter(record.payload) })}\n`);
        }
      } finally {
        await deadLetters.close();
      }
    });
}
