import type { Command } from 'commander';
import { openRegistry, registryLocation } from '../../registry/open-registry.js';
import { rollbackChampion } from '../../registry/rollback.js';

export function registerRollback(program: Command): void {
  program
    .command('rollback <model>')
    .description("move the model's champion alias back to the version it pointed at before (a running tandem serve follows within its reload interval)")
    .option('--data-dir <dir>', 'where the registry lives', '.tandem')
    .action(async (model: string, flags: { dataDir: string }) => {
      const registry = await openRegistry(flags.dataDir);
      try {
        const rollback = await rollbackChampion(registry, model, 'tandem rollback');
        process.stdout.write(`${model}: champion ${rollback.from} → ${rollback.to} in ${registryLocation(flags.dataDir)}\n`);
      } finally {
        await registry.close();
      }
    });
}
