import type { Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { TandemError } from '../../errors.js';
import { ApiKeyStore } from '../../server/api-keys.js';
import { buildApp } from '../../server/app.js';
import { apiKeyFile } from './keys.js';
import { OnlineRuntime } from '../../server/online-runtime.js';
import { openSharedState, partitionCount } from '../../streaming/partitioned/open-shared-state.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run ingestion, stream processing, feature reads and predictions (each model\'s registry champion) over HTTP in one process')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the event log, dead letters and snapshot live', '.tandem')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--reload-interval <ms>', 'how often to check the registry for a new champion (0: never)', '5000')
    .option('--no-jobs', 'do not run scheduled jobs (retraining, batch scoring) in this process')
    .option('--partitions <n>', 'scale out: be a stateless replica of a state split into this many partitions in Redis (TANDEM_ONLINE_URL), ingesting to their logs on NATS (TANDEM_LOG_URL); default TANDEM_PARTITIONS')
    .action(async (flags: { config: string; dataDir: string; host: string; port: string; reloadInterval: string; jobs: boolean; partitions?: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TandemError('TANDEM_USAGE', `--port must be 0–65535, got '${flags.port}'`);
      const reload = Number(flags.reloadInterval);
      if (!Number.isInteger(reload) || reload < 0) throw new TandemError('TANDEM_USAGE', `--reload-interval must be a whole number of milliseconds, got '${flags.reloadInterval}'`);
      const project = await loadProject(flags.config);
      const partitions = partitionCount(flags.partitions);
      const shared = partitions === undefined ? undefined : await openSharedState({ dataDir: flags.dataDir, partitions });
      const runtime = await OnlineRuntime.start(project, {
        dataDir: flags.dataDir,
        serving: { reloadIntervalMs: reload === 0 ? false : reload, jobs: flags.jobs, configPath: flags.config },
        ...(shared === undefined ? {} : { shared }),
      });
      const apiKeys = new ApiKeyStore(apiKeyFile(flags.dataDir));
      const app = buildApp(runtime, { logger: false, apiKeys });
      const address = await app.listen({ host: flags.host, port });
      const served = (runtime.predictor?.models ?? []).map((name) => `${name}@${runtime.predictor!.describe(name).version}`);
      process.stdout.write(
        `tandem serve${shared === undefined ? '' : ` (replica of ${partitions} shared partitions)`}: listening on ${address} (POST /v1/events/:source, GET /v1/features/:view, POST /v1/predict/:model, POST /v1/feedback/:model, /v2/..., GET /metrics, GET /healthz, GET /readyz; described at ${address}/openapi.json); ` +
          `${runtime.monitor === undefined ? '' : `dashboard ${address}/dashboard; `}` +
          `${runtime.scheduler === undefined ? '' : `jobs ${(await runtime.scheduler.jobs()).map((j) => j.name).join(', ') || 'none'}; `}` +
          `serving ${served.length > 0 ? served.join(', ') : 'no models'}; ` +
          `${apiKeys.enabled ? 'API keys required' : 'no API keys (open to local clients; see tandem keys)'}; Ctrl-C stops\n`,
      );
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      // Stop taking requests, finish those in flight, then apply the log and snapshot.
      await app.close();
      await runtime.stop();
      await shared?.store.close();
      process.stdout.write(shared === undefined ? 'tandem serve: stopped; state snapshotted\n' : 'tandem serve: stopped\n');
    });
}
