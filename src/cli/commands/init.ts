import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTransactions } from '../../demo/transactions.js';
import { TandemError } from '../../errors.js';
import { writeTable } from '../../io/index.js';

const TEMPLATE = fileURLToPath(new URL('../../../examples/fraud/tandem.config.ts', import.meta.url));

/** `tandem init`: a starter project file and a small events file to run it on. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a starter tandem.config.ts and sample events into a folder')
    .argument('[dir]', 'target folder', '.')
    .option('--force', 'overwrite an existing tandem.config.ts', false)
    .action(async (dir: string, flags: { force: boolean }) => {
      const config = join(dir, 'tandem.config.ts');
      if (existsSync(config) && !flags.force) {
        throw new TandemError('TANDEM_USAGE', `${config} already exists; pass --force to overwrite it`);
      }
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(config, readFileSync(TEMPLATE, 'utf8'));
      const events = join(dir, 'data', 'transactions.csv');
      await writeTable(generateTransactions({ events: 20_000, cards: 200, merchants: 60 }), events);
      process.stdout.write(
        `wrote ${config} and ${events}\n` +
          `next: npx tandem backfill --config ${config} --view card_stats --events ${events} --spine events --out training.parquet\n` +
          `      npx tandem train --config ${config} --model fraud --events ${events}\n` +
          `      npx tandem serve --config ${config}   (then POST /v1/events/transactions and /v1/predict/fraud)\n`,
      );
    });
}
