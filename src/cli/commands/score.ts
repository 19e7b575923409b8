import type { Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { TandemError } from '../../errors.js';
import { modelSources } from '../../features/model-features.js';
import { readTable } from '../../io/index.js';
import type { Table } from '../../io/table.js';
import { openRegistry, registryLocation } from '../../registry/open-registry.js';
import { parseModelRef } from '../../registry/registry.js';
import { spineTypes, writeScores } from '../../server/project-jobs.js';
import { LoadedModel } from '../../training/bundle.js';
import { scorePopulation } from '../../training/score-population.js';
import { eventFiles, schemaTypes } from '../event-files.js';
import { formatCount, formatSeconds } from '../format.js';
import { progressBar } from '../progress.js';

interface ScoreFlags {
  readonly config: string;
  readonly dataDir: string;
  readonly model: string;
  readonly spine: string;
  readonly spineTime?: string;
  readonly events: string[];
  readonly out: string;
  readonly table?: string;
  readonly withFeatures?: boolean;
}

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('batch scoring: a registry version scores every spine row as of its own time (point-in-time features by backfill)')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the registry lives', '.tandem')
    .requiredOption('-m, --model <model[@version]>', "the model, its champion by default (fraud, fraud@3, fraud@challenger)")
    .requiredOption('-s, --spine <file>', 'rows to score: entity keys, a time column, request fields; other columns pass through')
    .option('--spine-time <column>', "the spine's time column (default: the source's timestamp field)")
    .option('-e, --events <file>', 'events file, or <source>=<file>; repeatable', (v: string, prev: string[] = []) => [...prev, v], [] as string[])
    .requiredOption('-o, --out <file|url>', 'output file (.parquet, .csv, .ndjson) or a postgres:// URL')
    .option('--table <name>', 'table to create or append to when --out is a postgres:// URL (default: <model>_scores)')
    .option('--with-features', 'write the model inputs beside the score')
    .action(async (flags: ScoreFlags) => {
      const started = performance.now();
      const project = await loadProject(flags.config);
      const { model, ref } = parseModelRef(flags.model);
      const definition = project.models.get(model);
      if (definition === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${model}' (the project defines: ${[...project.models.keys()].join(', ') || 'none'})`);
      const registry = await openRegistry(flags.dataDir);
      let loaded: LoadedModel;
      let version: number;
      try {
        const saved = await registry.get(model, ref ?? 'champion');
        if (saved === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `no version '${flags.model}' in ${registryLocation(flags.dataDir)}`);
        version = saved.version;
        loaded = LoadedModel.fromText(await registry.artifact(model, version));
      } finally {
        await registry.close();
      }
      const sources = modelSources(project, definition);
      const events: Record<string, Table> = {};
      for (const [source, file] of eventFiles(project, sources, flags.events)) events[source.name] = await readTable(file, { types: schemaTypes(source) });
      const spine = await readTable(flags.spine, { types: spineTypes(project, definition) });
      const bar = progressBar('features');
      const scored = await scorePopulation(project, definition, loaded, {
        events,
        spine,
        ...(flags.spineTime === undefined ? {} : { spineTimestamp: flags.spineTime }),
        withFeatures: flags.withFeatures === true,
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.stop();
      await writeScores(scored.table, flags.out, flags.table ?? `${model}_scores`);
      process.stdout.write(`score: ${model}@${version} scored ${formatCount(scored.table.length)} rows → ${flags.out}${/^postgres/.test(flags.out) ? ` table ${flags.table ?? `${model}_scores`}` : ''} in ${formatSeconds((performance.now() - started) / 1000)}\n`);
    });
}
