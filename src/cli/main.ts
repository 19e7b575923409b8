import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { TandemError } from '../errors.js';
import { registerBackfill } from './commands/backfill.js';
import { registerDemo } from './commands/demo.js';
import { registerInit } from './commands/init.js';
import { registerIngest } from './commands/ingest.js';
import { registerStream } from './commands/stream.js';
import { registerServe } from './commands/serve.js';
import { registerTrain } from './commands/train.js';
import { registerModels } from './commands/models.js';
import { registerKeys } from './commands/keys.js';
import { registerJobs } from './commands/jobs.js';
import { registerMonitor } from './commands/monitor.js';
import { registerRollback } from './commands/rollback.js';
import { registerScore } from './commands/score.js';
import { registerAdvise } from './commands/advise.js';
import { registerReplay } from './commands/replay.js';
import { registerOpenApi } from './commands/openapi.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('tandem')
    .description('Batch and real-time machine learning for TypeScript: one feature definition for training sets and live serving')
    .version(version)
    .showHelpAfterError()
    .exitOverride();
  registerInit(program);
  registerBackfill(program);
  registerIngest(program);
  registerStream(program);
  registerServe(program);
  registerTrain(program);
  registerModels(program);
  registerRollback(program);
  registerScore(program);
  registerReplay(program);
  registerJobs(program);
  registerMonitor(program);
  registerKeys(program);
  registerOpenApi(program);
  registerAdvise(program);
  registerDemo(program);
  return program;
}

/** Run the CLI on `argv` (as process.argv: node, script, args…); resolves to the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof TandemError) {
      process.stderr.write(`error [${error.code}]: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

