import type { Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { TandemError } from '../../errors.js';
import { buildApp } from '../../server/app.js';
import { OnlineRuntime } from '../../server/online-runtime.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run ingestion, stream processing and feature reads over HTTP in one process')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the event log, dead letters and snapshot live', '.tandem')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8080')
    .action(async (flags: { config: string; dataDir: string; host: string; port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TandemError('TANDEM_USAGE', `--port must be 0–65535, got '${flags.port}'`);
      const project = await loadProject(flags.config);
      const runtime = await OnlineRuntime.start(project, { dataDir: flags.dataDir });
      const app = buildApp(runtime, { logger: false });
      const address = await app.listen({ host: flags.host, port });
      process.stdout.write(`tandem serve: listening on ${address} (POST /v1/events/:source, GET /v1/features/:view, GET /healthz); Ctrl-C stops\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      // Stop taking requests, finish those in flight, then apply the log and snapshot.
      await app.close();
      await runtime.stop();
      process.stdout.write('tandem serve: stopped; state snapshotted\n');
    });
}
