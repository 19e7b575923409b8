import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { loadProject } from '../../config/load-project.js';
import { openRegistry } from '../../registry/open-registry.js';
import { openApiDocument } from '../../server/openapi.js';
import { FeaturePlan } from '../../serving/feature-plan.js';
import { loadServedModel, servedVersions } from '../../serving/load-served-models.js';

/**
 * `tandem openapi`: the document `GET /openapi.json` serves, without a server: the project's
 * sources, views and request features, and each model whose registry champion it finds.
 */
export function registerOpenApi(program: Command): void {
  program
    .command('openapi')
    .description("print the HTTP API of tandem serve for this project as an OpenAPI 3.1 document (what GET /openapi.json serves), the models' request bodies from their registry champions")
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the registry lives', '.tandem')
    .option('-o, --out <file>', 'write the document here instead of printing it')
    .action(async (flags: { config: string; dataDir: string; out?: string }) => {
      const project = await loadProject(flags.config);
      const registry = await openRegistry(flags.dataDir);
      const plans = new Map<string, FeaturePlan>();
      try {
        // Only the champions: their inputs are what the predict route checks.
        for (const definition of project.models.values()) {
          const versions = await servedVersions(registry, definition);
          if (versions === undefined) continue;
          const served = await loadServedModel(registry, definition, { champion: versions.champion, previous: undefined, canary: undefined, shadow: undefined });
          plans.set(definition.name, new FeaturePlan(project, definition, served.champion.scorer));
        }
      } finally {
        await registry.close();
      }
      const unserved = [...project.models.keys()].filter((name) => !plans.has(name));
      if (unserved.length > 0) process.stderr.write(`no champion for ${unserved.join(', ')}: left out of the document until one is trained\n`);
      const text = `${JSON.stringify(openApiDocument({ project, models: plans }), null, 2)}\n`;
      if (flags.out === undefined) process.stdout.write(text);
      else await writeFile(flags.out, text);
    });
}
