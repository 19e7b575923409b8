import type { Command } from 'commander';
import { TandemError } from '../../errors.js';
import { algorithmKinds, findAlgorithm } from '../../models/catalog.js';
import type { ModelVersion } from '../../registry/registry.js';
import { openRegistry } from '../../registry/open-registry.js';

function headline(version: ModelVersion): string {
  const m = version.metrics;
  const show = (name: string): string | undefined => (typeof m[name] === 'number' ? `${name} ${(m[name] as number).toFixed(4)}` : undefined);
  return [show('rocAuc'), show('logLoss'), show('rmse')].filter(Boolean).join(', ');
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('list model versions, move aliases, list algorithms');
  models
    .command('list [model]', { isDefault: true })
    .description('versions of one model or of all, with aliases and holdout metrics')
    .option('--data-dir <dir>', 'where the registry lives', '.tandem')
    .option('--json', 'print JSON')
    .action(async (model: string | undefined, flags: { dataDir: string; json?: boolean }) => {
      const registry = await openRegistry(flags.dataDir);
      try {
        const versions = await registry.versions(model);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(versions)}\n`);
          return;
        }
        if (versions.length === 0) {
          process.stdout.write(model === undefined ? 'no models registered yet; run tandem train\n' : `model '${model}' has no versions\n`);
          return;
        }
        for (const v of versions) {
          const aliases = v.aliases.length > 0 ? ` [${v.aliases.join(', ')}]` : '';
          process.stdout.write(`${v.model}@${v.version}${aliases}  ${v.kind}  ${v.createdAt}  ${headline(v)}  sha256 ${v.artifactSha256.slice(0, 12)}\n`);
        }
      } finally {
        await registry.close();
      }
    });
  models
    .command('alias <model> <alias> <version>')
    .description('point an alias (champion, challenger, …) at a version')
    .option('--data-dir <dir>', 'where the registry lives', '.tandem')
    .action(async (model: string, alias: string, version: string, flags: { dataDir: string }) => {
      if (!/^\d+$/.test(version)) throw new TandemError('TANDEM_USAGE', `version must be a number, got '${version}'`);
      const registry = await openRegistry(flags.dataDir);
      try {
        await registry.setAlias(model, alias, Number(version));
        process.stdout.write(`${model}@${alias} → version ${version}\n`);
      } finally {
        await registry.close();
      }
    });
  models
    .command('algorithms')
    .description('the algorithms a model definition can name')
    .action(() => {
      for (const kind of algorithmKinds()) {
        const algorithm = findAlgorithm(kind);
        process.stdout.write(`${kind.padEnd(22)} ${algorithm.learning.padEnd(7)} ${algorithm.task.padEnd(11)} ${algorithm.description}\n`);
      }
    });
}
