import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TandemError } from '../../errors.js';
import { loadProject } from '../../config/load-project.js';
import type { Project } from '../../features/project.js';
import { modelSources } from '../../features/model-features.js';
import { readTable } from '../../io/index.js';
import type { Table } from '../../io/table.js';
import { sha256 } from '../../models/artifact.js';
import { parseModelRef, type Lineage } from '../../registry/registry.js';
import { openRegistry, registryLocation } from '../../registry/open-registry.js';
import { packageVersion, registerTrained, trainModel, type TrainPhase, type TrainResult } from '../../training/train.js';
import { eventFiles, schemaTypes } from '../event-files.js';
import { formatCount, formatSeconds } from '../format.js';
import { progressBar, type Progress } from '../progress.js';

interface TrainFlags {
  readonly config: string;
  readonly model?: string;
  readonly events: string[];
  readonly dataDir: string;
  readonly alias: string[];
  readonly reproduce?: string;
  readonly json?: boolean;
}

/** Reads each source's events file and records its SHA-256 for the lineage. */
async function readEvents(project: Project, modelName: string, specs: readonly string[]): Promise<{ events: Record<string, Table>; inputs: Lineage['inputs'] }> {
  const definition = project.models.get(modelName);
  if (definition === undefined) {
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${modelName}' (the project defines: ${[...project.models.keys()].join(', ') || 'none'})`);
  }
  const sources = modelSources(project, definition);
  const spine = sources[0]!;
  if (specs.length === 0) throw new TandemError('TANDEM_USAGE', `train needs --events <file> with the events of source '${spine.name}'`);
  const files = eventFiles(project, sources, specs);
  const events: Record<string, Table> = {};
  const inputs: { source: string; path: string; sha256: string }[] = [];
  for (const [source, path] of files) {
    events[source.name] = await readTable(path, { types: schemaTypes(source) });
    inputs.push({ source: source.name, path, sha256: sha256(readFileSync(path)) });
  }
  return { events, inputs };
}

function phaseBars(): { update: (phase: TrainPhase, done: number, total: number) => void; stop: () => void } {
  const bars = new Map<TrainPhase, Progress>();
  let current: Progress | undefined;
  return {
    update(phase, done, total) {
      let bar = bars.get(phase);
      if (bar === undefined) {
        current?.stop();
        bar = progressBar(phase);
        bars.set(phase, bar);
        current = bar;
      }
      bar.update(done, total);
    },
    stop: () => current?.stop(),
  };
}

function printResult(result: TrainResult, version: number | undefined, seconds: number): void {
  const { lineage, metrics } = result;
  const lines = [
    `${result.model}${version === undefined ? '' : `@${version}`} (${result.kind}): trained on ${formatCount(lineage.rows.train)} rows` +
      `${lineage.rows.validation > 0 ? `, ${formatCount(lineage.rows.validation)} for early stopping` : ''}, tested on ${formatCount(lineage.rows.test)} later rows` +
      ` in ${formatSeconds(seconds)}`,
    ...Object.entries(metrics).map(([name, value]) => `  ${name.padEnd(24)} ${value === null ? '–' : Number.isInteger(value) ? formatCount(value) : value.toFixed(4)}`),
    `  artifact sha256          ${result.artifactSha256}`,
  ];
  if (result.fit.featureImportance !== undefined) {
    const top = Object.entries(result.fit.featureImportance)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5);
    lines.push(`  top features             ${top.map(([name]) => name).join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function train(flags: TrainFlags): Promise<void> {
  if (flags.model === undefined) throw new TandemError('TANDEM_USAGE', 'train needs --model <name> (or --reproduce <model>@<version>)');
  const started = performance.now();
  const project = await loadProject(flags.config);
  const { events, inputs } = await readEvents(project, flags.model, flags.events);
  const bars = phaseBars();
  const result = await trainModel(project, flags.model, { events, inputs, configPath: flags.config, onProgress: bars.update });
  bars.stop();
  const registry = await openRegistry(flags.dataDir);
  try {
    const first = (await registry.versions(flags.model)).length === 0;
    // The first version of a model becomes its champion; later ones are promoted explicitly.
    const aliases = flags.alias.length > 0 ? flags.alias : first ? ['champion'] : [];
    const saved = await registerTrained(registry, result, aliases);
    const seconds = (performance.now() - started) / 1000;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ model: saved.model, version: saved.version, aliases: saved.aliases, artifactSha256: saved.artifactSha256, metrics: saved.metrics, lineage: saved.lineage, featureImportance: result.fit.featureImportance ?? null })}\n`);
    } else {
      printResult(result, saved.version, seconds);
      process.stdout.write(`  registered               ${saved.model}@${saved.version}${saved.aliases.length > 0 ? ` (${saved.aliases.join(', ')})` : ''} in ${registryLocation(flags.dataDir)}\n`);
    }
  } finally {
    await registry.close();
  }
}

/** Rebuilds a registered version from its recorded inputs and checks the bytes are identical. */
async function reproduce(flags: TrainFlags): Promise<void> {
  const { model, ref } = parseModelRef(flags.reproduce as string);
  const registry = await openRegistry(flags.dataDir);
  try {
    const saved = await registry.get(model, ref ?? 'champion');
    if (saved === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `no version '${flags.reproduce}' in ${registryLocation(flags.dataDir)}`);
    const lineage = saved.lineage;
    const configPath = flags.config !== 'tandem.config.ts' || lineage.configPath === null ? flags.config : lineage.configPath;
    for (const input of lineage.inputs) {
      let digest: string;
      try {
        digest = sha256(readFileSync(input.path));
      } catch (cause) {
        throw new TandemError('TANDEM_NOT_REPRODUCIBLE', `${model}@${saved.version} was trained on '${input.path}', which cannot be read: ${(cause as Error).message}`, { cause });
      }
      if (digest !== input.sha256) {
        throw new TandemError('TANDEM_NOT_REPRODUCIBLE', `${model}@${saved.version} was trained on '${input.path}' with SHA-256 ${input.sha256}; the file now has ${digest}`);
      }
    }
    const project = await loadProject(configPath);
    const specs = lineage.inputs.map((input) => `${input.source}=${input.path}`);
    const { events, inputs } = await readEvents(project, model, specs);
    const result = await trainModel(project, model, { events, inputs, configPath });
    if (result.lineage.definitionsHash !== lineage.definitionsHash) {
      throw new TandemError('TANDEM_NOT_REPRODUCIBLE', `the definitions of model '${model}' in ${configPath} changed since version ${saved.version} (definitions hash ${lineage.definitionsHash.slice(0, 12)}… → ${result.lineage.definitionsHash.slice(0, 12)}…)`);
    }
    if (result.artifactSha256 !== saved.artifactSha256 || result.artifact !== (await registry.artifact(model, saved.version))) {
      const then = `tandem ${lineage.packageVersion} on Node ${lineage.nodeVersion}`;
      const now = `tandem ${packageVersion} on Node ${process.version}`;
      const why = then === now ? '' : `; it was trained by ${then} and this is ${now}: a change in the training code between them changes the bytes`;
      throw new TandemError('TANDEM_NOT_REPRODUCIBLE', `retraining ${model}@${saved.version} gave artifact ${result.artifactSha256}, not ${saved.artifactSha256}${why}`);
    }
    process.stdout.write(`reproduced ${model}@${saved.version}: byte-identical artifact, sha256 ${saved.artifactSha256}\n`);
  } finally {
    await registry.close();
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('build a training set by backfill, split it in time, fit, evaluate and register a new model version')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('-m, --model <name>', 'the model to train, as named in the project file')
    .option('-e, --events <file>', 'events file (CSV, NDJSON, Parquet), or <source>=<file>; repeatable', (v: string, prev: string[] = []) => [...prev, v], [] as string[])
    .option('--data-dir <dir>', 'where the registry lives (<dir>/registry)', '.tandem')
    .option('--alias <name>', 'point this alias at the new version (default: champion for a first version); repeatable', (v: string, prev: string[] = []) => [...prev, v], [] as string[])
    .option('--reproduce <model@version>', 'retrain a registered version from its recorded inputs and check the artifact is byte-identical')
    .option('--json', 'print the result as one JSON object')
    .action(async (flags: TrainFlags) => {
      await (flags.reproduce !== undefined ? reproduce(flags) : train(flags));
    });
}
