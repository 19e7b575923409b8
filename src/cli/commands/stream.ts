import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ingestor } from '../../ingest/ingestor.js';
import { PiiProtector } from '../../ingest/pii.js';
import { readTable, tableToRows } from '../../io/index.js';
import { loadProject } from '../../config/load-project.js';
import { TandemError } from '../../errors.js';
import { openEventLog } from '../../log/open-event-log.js';
import { StreamProcessor } from '../../streaming/stream-processor.js';
import { formatCount, formatSeconds } from '../format.js';
import { dataDirs } from './ingest.js';
import type { Project } from '../../features/project.js';
import { openSharedState, partitionCount } from '../../streaming/partitioned/open-shared-state.js';
import { PartitionedStreamWorker } from '../../streaming/partitioned/stream-worker.js';

interface StreamFlags {
  readonly bootstrap?: string;
  readonly source?: string;
  readonly bootstrapOffset?: string;
  readonly reseed: boolean;
  readonly config: string;
  readonly dataDir: string;
  readonly once: boolean;
  readonly batchSize: string;
  readonly maxDelay: string;
  readonly snapshotEvery: string;
  readonly partitions?: string;
}

/** One of several stream workers sharing the partitions, until Ctrl-C (or, with --once, until caught up). */
async function runPartitionedWorker(project: Project, flags: StreamFlags, partitions: number, started: number): Promise<void> {
  const shared = await openSharedState({ dataDir: flags.dataDir, partitions });
  const worker = new PartitionedStreamWorker(project, {
    store: shared.store,
    openLog: (p) => Promise.resolve(shared.logs[p]!),
    batchSize: positive(flags.batchSize, '--batch-size'),
    maxDelayMs: positive(flags.maxDelay, '--max-delay'),
    ...(process.env['TANDEM_LEASE_MS'] ? { leaseMs: positive(process.env['TANDEM_LEASE_MS'], 'TANDEM_LEASE_MS') } : {}),
    // A stable id (a pod's name, say) lets a restarted worker take back the same partitions.
    ...(process.env['TANDEM_WORKER_ID'] ? { id: process.env['TANDEM_WORKER_ID'] } : {}),
  });
  try {
    if (flags.once) await worker.drain();
    else {
      worker.start();
      process.stdout.write(`stream worker ${worker.id}: sharing ${partitions} partitions; Ctrl-C stops\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    }
    const status = worker.status();
    await worker.stop();
    process.stdout.write(
      `stream worker ${status.id}: applied ${formatCount(status.applied)} log records (an event whose entities fall in several partitions is a record in each), ${formatCount(status.rejected)} rejected (dead letters in the state store), ` +
        `partitions ${status.partitions.join(', ') || 'none'} at exit, in ${formatSeconds((performance.now() - started) / 1000)}\n`,
    );
  } finally {
    await shared.close();
  }
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TandemError('TANDEM_USAGE', `${flag} must be a positive whole number, got '${value}'`);
  return n;
}

export function registerStream(program: Command): void {
  program
    .command('stream')
    .description('apply the event log to the online feature state, with snapshots for exactly-once restarts')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the event log, dead letters and snapshot live', '.tandem')
    .option('--once', 'stop when the log is caught up (else keep following it until Ctrl-C)', false)
    .option('--batch-size <n>', "events per micro-batch (an entity's events of a batch are applied together: bigger batches catch up faster)", '100000')
    .option('--max-delay <ms>', 'how long to wait for new events when caught up', '200')
    .option('--snapshot-every <n>', 'events between snapshots (one is also taken on exit)', '1000000')
    .option('--bootstrap <file>', 'Lambda mode: first seed the state from this history file (events the log does not hold)')
    .option('--source <name>', "the history's source (with --bootstrap)")
    .option('--bootstrap-offset <n>', 'the log offset the history hands over to (with --bootstrap)', '0')
    .option('--reseed', 'with --bootstrap: replace an existing state (the batch layer re-seeding from history)', false)
    .option('--partitions <n>', 'scale out: be one of several workers sharing this many partitions of the state in Redis (TANDEM_ONLINE_URL), reading their logs on NATS (TANDEM_LOG_URL); default TANDEM_PARTITIONS')
    .action(async (flags: StreamFlags) => {
      const started = performance.now();
      const project = await loadProject(flags.config);
      const partitions = partitionCount(flags.partitions);
      if (partitions !== undefined) {
        if (flags.bootstrap !== undefined) throw new TandemError('TANDEM_USAGE', '--bootstrap seeds the state of one process; it does not go with --partitions');
        await runPartitionedWorker(project, flags, partitions, started);
        return;
      }
      const dirs = dataDirs(flags.dataDir);
      const snapshotPath = join(flags.dataDir, 'snapshot.ndjson');
      const log = await openEventLog({ dataDir: flags.dataDir, name: 'events' });
      const deadLetters = await openEventLog({ dataDir: flags.dataDir, name: 'dead-letters' });
      try {
        const processor = await StreamProcessor.start(project, {
          log,
          deadLetters,
          snapshotPath,
          batchSize: positive(flags.batchSize, '--batch-size'),
          snapshotEvery: positive(flags.snapshotEvery, '--snapshot-every'),
          fresh: flags.bootstrap !== undefined && flags.reseed,
        });
        let applied = 0;
        let rejected = 0;
        if (flags.reseed && flags.bootstrap === undefined) throw new TandemError('TANDEM_USAGE', '--reseed goes with --bootstrap <history>');
        if (flags.bootstrap !== undefined) {
          if (flags.source === undefined) throw new TandemError('TANDEM_USAGE', '--bootstrap needs --source <name>: the source of the history events');
          if (existsSync(snapshotPath) && !flags.reseed) {
            throw new TandemError(
              'TANDEM_USAGE',
              `a snapshot exists (${snapshotPath}): the state is already seeded; pass --reseed to replace it with one built from the history`,
            );
          }
          const offset = Number(flags.bootstrapOffset);
          if (!Number.isInteger(offset) || offset < 0) throw new TandemError('TANDEM_USAGE', `--bootstrap-offset must be a log offset, got '${flags.bootstrapOffset}'`);
          const ingestor = new Ingestor(project, { log, deadLetters, pii: PiiProtector.fromEnvironment() });
          const admitted = ingestor.admit(flags.source, tableToRows(await readTable(flags.bootstrap)));
          await deadLetters.append(admitted.rejected);
          const seeded = await processor.bootstrap(flags.source, admitted.accepted, offset);
          process.stdout.write(
            `bootstrap: ${formatCount(seeded.applied)} history events from ${flags.bootstrap} applied, ${formatCount(seeded.rejected + admitted.rejected.length)} rejected; continuing from log offset ${formatCount(offset)}\n`,
          );
        }
        const from = processor.offset;
        if (flags.once) {
          ({ applied, rejected } = await processor.catchUp());
        } else {
          const maxDelay = positive(flags.maxDelay, '--max-delay');
          let stopping = false;
          const stop = (): void => void (stopping = true);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          while (!stopping) {
            const step = await processor.step();
            applied += step.applied;
            rejected += step.rejected;
            if (step.applied + step.rejected === 0) await new Promise((done) => setTimeout(done, maxDelay));
          }
        }
        await processor.snapshotIfChanged();
        const views = [...project.views.keys()].map((v) => `${formatCount(processor.engine.entityCount(v))} ${v}`).join(', ');
        const range =
          processor.offset > from ? `offsets ${formatCount(from)}–${formatCount(processor.offset - 1)}` : from > 0 ? `none after offset ${formatCount(from - 1)}` : 'the log has none';
        process.stdout.write(
          `stream: applied ${formatCount(applied)} events (${range}), ${formatCount(rejected)} rejected → ${dirs.deadLetters}, ` +
            `in ${formatSeconds((performance.now() - started) / 1000)}; entities: ${views}; snapshot at offset ${formatCount(processor.offset)} → ${snapshotPath}\n`,
        );
      } finally {
        await log.close();
        await deadLetters.close();
      }
    });
}
