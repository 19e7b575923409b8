import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { TandemError } from '../../errors.js';
import type { JobRun } from '../../jobs/job-store.js';
import { openJobStore } from '../../jobs/open-job-store.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { FileEventLog } from '../../log/file/file-event-log.js';
import { openRegistry } from '../../registry/open-registry.js';
import { projectJobs } from '../../server/project-jobs.js';

interface JobsFlags {
  readonly config: string;
  readonly dataDir: string;
  readonly json?: boolean;
}

function describeRun(run: JobRun): string {
  const took = run.finishedAt === null ? 'running' : `${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`;
  const outcome = run.status === 'failed' ? `: ${run.error}` : run.result === null ? '' : `: ${JSON.stringify(run.result).slice(0, 200)}`;
  return `${run.startedAt}  ${run.job}  ${run.status}  attempt ${run.attempt}  ${run.trigger}${run.reason ? ` (${run.reason})` : ''}  ${took}${outcome}`;
}

/** The project's jobs on a scheduler that runs nothing by itself (for list, history and run). */
async function withScheduler<T>(flags: JobsFlags, work: (scheduler: Scheduler, log: FileEventLog | undefined) => Promise<T>, options: { readonly withLog: boolean }): Promise<T> {
  const project = await loadProject(flags.config);
  const registry = await openRegistry(flags.dataDir);
  const store = await openJobStore(flags.dataDir);
  let log: FileEventLog | undefined;
  try {
    if (options.withLog && existsSync(join(flags.dataDir, 'events'))) {
      try {
        log = await FileEventLog.open(join(flags.dataDir, 'events'));
      } catch (error) {
        if (error instanceof TandemError && error.code === 'TANDEM_LOG_LOCKED') {
          throw new TandemError('TANDEM_LOG_LOCKED', `a running tandem serve holds the event log in ${flags.dataDir}; run the job there: curl -X POST http://<host>:<port>/v1/jobs/<name>/run`, { cause: error });
        }
        throw error;
      }
    }
    const scheduler = new Scheduler({ store });
    for (const job of projectJobs({ project, registry, configPath: flags.config, ...(log ? { log } : {}) })) scheduler.define(job);
    try {
      return await work(scheduler, log);
    } finally {
      await scheduler.stop();
    }
  } finally {
    await log?.close();
    await store.close();
    await registry.close();
  }
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('scheduled jobs (retraining, batch scoring, backfills, drift reports): list, history, run now');
  const common = (command: Command): Command =>
    command.option('-c, --config <file>', 'project file', 'tandem.config.ts').option('--data-dir <dir>', 'where the registry and job history live', '.tandem').option('--json', 'print JSON');

  common(jobs.command('list', { isDefault: true }).description('every job with its schedule, next due time and last run')).action(async (flags: JobsFlags) => {
    await withScheduler(flags, async (scheduler) => {
      const list = await scheduler.jobs();
      if (flags.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
      for (const job of list) {
        const last = job.lastRun === null ? 'never run' : `last ${job.lastRun.status} ${job.lastRun.startedAt}`;
        process.stdout.write(`${job.name.padEnd(28)} ${(job.schedule ?? 'on demand').padEnd(16)} next ${job.nextDueAt ?? '–'}  ${last}\n`);
      }
    }, { withLog: false });
  });

  common(jobs.command('history [name]').description('recent runs, newest first'))
    .option('-n, --limit <n>', 'how many runs', '20')
    .action(async (name: string | undefined, flags: JobsFlags & { limit: string }) => {
      await withScheduler(flags, async (scheduler) => {
        const runs = await scheduler.history(name, { limit: Number(flags.limit) });
        if (flags.json) return void process.stdout.write(`${JSON.stringify(runs)}\n`);
        if (runs.length === 0) process.stdout.write('no runs yet\n');
        for (const run of runs) process.stdout.write(`${describeRun(run)}\n`);
      }, { withLog: false });
    });

  common(jobs.command('run <name>').description('run a job now, in this process, and wait for it')).action(async (name: string, flags: JobsFlags) => {
    const run = await withScheduler(flags, async (scheduler) => {
      const result = await scheduler.trigger(name, { trigger: 'manual', reason: 'tandem jobs run' });
      if (result.status === 'already-running') throw new TandemError('TANDEM_USAGE', `job '${name}' is already running (run ${result.run.runId}, started ${result.run.startedAt} by ${result.run.owner})`);
      const last = await result.finished;
      const retry = (await scheduler.jobs()).find((j) => j.name === name)?.retryAt;
      // The retry is stored: a running tandem serve (or the next tandem jobs run) takes it.
      if (last.status === 'failed' && retry) process.stderr.write(`retry ${last.attempt + 1} is due at ${retry}\n`);
      return last;
    }, { withLog: true });
    process.stdout.write(flags.json ? `${JSON.stringify(run)}\n` : `${describeRun(run)}\n`);
    if (run.status !== 'succeeded') throw new TandemError('TANDEM_USAGE', `job '${name}' ${run.status}${run.error ? `: ${run.error}` : ''}`);
  });
}
