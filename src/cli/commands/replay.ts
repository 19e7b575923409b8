import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { loadProject } from '../../config/load-project.js';
import { toEventTime } from '../../engine/event-time.js';
import { TandemError, quote } from '../../errors.js';
import { modelSources } from '../../features/model-features.js';
import { readTable } from '../../io/index.js';
import type { Table } from '../../io/table.js';
import { openRegistry, registryLocation } from '../../registry/open-registry.js';
import { parseModelRef, type ModelRegistry } from '../../registry/registry.js';
import { formatReplay } from '../../replay/format.js';
import { replay } from '../../replay/replay.js';
import type { ReplayVersion } from '../../replay/types.js';
import { scorerOf } from '../../serving/scorer.js';
import { LoadedModel } from '../../training/bundle.js';
import { eventFiles, schemaTypes } from '../event-files.js';
import { progressBar } from '../progress.js';

interface ReplayFlags {
  readonly config: string;
  readonly dataDir: string;
  readonly model: string;
  readonly candidate?: string;
  readonly from: string;
  readonly to: string;
  readonly events: string[];
  readonly json?: boolean;
  readonly out?: string;
}

/** `--from` / `--to`: epoch ms (digits) or ISO 8601 (UTC when no zone is given). */
export function parseTime(flag: string, value: string): number {
  const t = /^-?\d+$/.test(value.trim()) ? Number(value) : toEventTime(value);
  if (!(Math.abs(t) <= 8.64e15)) throw new TandemError('TANDEM_USAGE', `${flag} must be a time (ISO 8601 such as 2026-03-01T00:00:00Z, or epoch ms), got ${quote(value)}`);
  return t;
}

/** A registry version as serving loads it: the version alone (no previous, canary or shadow). */
async function loadVersion(registry: ModelRegistry, flag: string, text: string, label: string, dataDir: string): Promise<ReplayVersion> {
  const { model, ref } = parseModelRef(text);
  if (model === '' || ref === '') throw new TandemError('TANDEM_USAGE', `${flag} must be <model>[@<version|alias>], got ${quote(text)}`);
  const saved = await registry.get(model, ref ?? 'champion');
  if (saved === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `${flag}: no version ${quote(ref === undefined ? `${model}@champion` : text)} in ${registryLocation(dataDir)}`);
  const scorer = scorerOf(LoadedModel.fromText(await registry.artifact(model, saved.version)));
  return { label, name: `${model}@${saved.version}`, served: { champion: { version: saved.version, scorer } } };
}

async function run(flags: ReplayFlags): Promise<void> {
  const from = parseTime('--from', flags.from);
  const to = parseTime('--to', flags.to);
  if (!(from < to)) throw new TandemError('TANDEM_USAGE', `--from (${quote(flags.from)}) must be before --to (${quote(flags.to)})`);
  if (flags.candidate !== undefined && !flags.candidate.includes('@')) {
    throw new TandemError('TANDEM_USAGE', `--candidate must name a version or alias, <model>@<version|alias> (e.g. fraud@challenger or fraud@3), got ${quote(flags.candidate)}`);
  }
  const project = await loadProject(flags.config);
  const { model, ref } = parseModelRef(flags.model);
  const definition = project.models.get(model);
  if (definition === undefined) throw new TandemError('TANDEM_UNKNOWN_MODEL', `--model: unknown model '${model}' (the project defines: ${[...project.models.keys()].join(', ') || 'none'})`);
  const registry = await openRegistry(flags.dataDir);
  const versions: ReplayVersion[] = [];
  try {
    versions.push(await loadVersion(registry, '--model', flags.model, ref === undefined || ref === 'champion' ? 'champion' : 'served', flags.dataDir));
    if (flags.candidate !== undefined) versions.push(await loadVersion(registry, '--candidate', flags.candidate, 'candidate', flags.dataDir));
  } finally {
    await registry.close();
  }
  const events: Record<string, Table> = {};
  for (const [source, file] of eventFiles(project, modelSources(project, definition), flags.events)) events[source.name] = await readTable(file, { types: schemaTypes(source) });

  let out: number | undefined;
  if (flags.out !== undefined) {
    try {
      out = openSync(flags.out, 'w');
    } catch (cause) {
      throw new TandemError('TANDEM_USAGE', `--out: cannot write ${quote(flags.out)}: ${(cause as Error).message}`, { cause });
    }
  }
  const bar = progressBar('replay');
  let pending: string[] = [];
  const flush = (): void => {
    if (out !== undefined && pending.length > 0) writeSync(out, pending.join(''));
    pending = [];
  };
  try {
    const report = await replay(project, {
      model,
      versions,
      events,
      from,
      to,
      onProgress: (done, total) => bar.update(done, total),
      ...(out === undefined
        ? {}
        : {
            onResult: (result) => {
              pending.push(`${JSON.stringify(result)}\n`);
              if (pending.length >= 1024) flush();
            },
          }),
    });
    bar.stop();
    flush();
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatReplay(report)}${flags.out === undefined ? '' : `\nper-event results → ${flags.out}\n`}`);
  } finally {
    bar.stop();
    if (out !== undefined) closeSync(out);
  }
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('run history through the live path (stream features as of each event, the model, rules, fallbacks) and report what would have happened; compare a candidate to the champion')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .option('--data-dir <dir>', 'where the registry lives', '.tandem')
    .requiredOption('-m, --model <model[@version]>', 'the model and version to replay, its champion by default (fraud, fraud@3)')
    .option('--candidate <model@version>', 'a version to compare on the same history (fraud@challenger, fraud@4)')
    .requiredOption('--from <time>', 'predict for events at or after this time (ISO 8601 or epoch ms); earlier events only warm up the features')
    .requiredOption('--to <time>', 'predict for events before this time; later events are not read')
    .option('-e, --events <file>', 'events file, or <source>=<file>; repeatable', (v: string, prev: string[] = []) => [...prev, v], [] as string[])
    .option('--json', 'print the report as one JSON object')
    .option('-o, --out <file.ndjson>', 'write each predicted event with every version’s answer and features, one JSON line each')
    .action(async (flags: ReplayFlags) => run(flags));
}
