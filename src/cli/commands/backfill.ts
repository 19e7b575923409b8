import type { Command } from 'commander';
import { TandemError } from '../../errors.js';
import type { FieldType } from '../../features/schema.js';
import { backfillParallel } from '../../engine/backfill-parallel.js';
import { readTable, writeTable } from '../../io/index.js';
import type { Table } from '../../io/table.js';
import { loadProject } from '../../config/load-project.js';
import { eventFiles, schemaTypes } from '../event-files.js';
import { progressBar } from '../progress.js';
import { formatCount, formatSeconds } from '../format.js';

interface BackfillFlags {
  readonly config: string;
  readonly view: string[];
  readonly events: string[];
  readonly spine: string;
  readonly spineTime?: string;
  readonly out: string;
  readonly threads?: string;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('compute point-in-time correct features for every spine row (a training set)')
    .option('-c, --config <file>', 'project file', 'tandem.config.ts')
    .requiredOption('-v, --view <names>', 'feature views or request features, comma-separated', (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)])
    .option('-e, --events <file>', 'events file (CSV, NDJSON, Parquet), or <source>=<file>; repeatable', (v: string, prev: string[] = []) => [...prev, v], [] as string[])
    .requiredOption('-s, --spine <file|events>', "rows to compute features for, or 'events' for each event as of its own time")
    .option('--spine-time <column>', "the spine's time column (default: the source's timestamp field)")
    .requiredOption('-o, --out <file>', 'output file (.parquet, .csv or .ndjson)')
    .option('--threads <n>', 'threads sweeping windows (default: the cores available)')
    .action(async (flags: BackfillFlags) => {
      const started = performance.now();
      const project = await loadProject(flags.config);
      const selected = flags.view.map((name) => {
        const view = project.views.get(name);
        const set = project.requestFeatures.get(name);
        if (view) return [view];
        if (set) return set.views;
        throw new TandemError('TANDEM_UNKNOWN_VIEW', `unknown view '${name}' in ${flags.config} (known: ${[...project.views.keys(), ...project.requestFeatures.keys()].join(', ')})`);
      }).flat();
      const sources = [...new Set(selected.map((v) => v.source))];
      const files = eventFiles(project, sources, flags.events);
      const events: Record<string, Table> = {};
      for (const [source, file] of files) events[source.name] = await readTable(file, { types: schemaTypes(source) });

      let spine: Table | 'events' = 'events';
      if (flags.spine !== 'events') {
        const types: Record<string, FieldType> = {};
        const timeColumn = flags.spineTime ?? sources[0]?.timestamp;
        if (timeColumn !== undefined) types[timeColumn] = 'timestamp';
        for (const view of selected) for (const key of view.entity.keys) types[key] = view.source.fields.get(key)!.type;
        for (const name of flags.view) {
          for (const field of project.requestFeatures.get(name)?.requestFields.values() ?? []) types[field.name] = field.type;
        }
        const spineTable = await readTable(flags.spine, { types });
        spine = spineTable;
      }
      const loaded = performance.now();
      const bar = progressBar('backfill');
      const threads = flags.threads === undefined ? undefined : Number(flags.threads);
      if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
        throw new TandemError('TANDEM_USAGE', `--threads must be a positive whole number, got '${flags.threads}'`);
      }
      const result = await backfillParallel(project, {
        ...(threads === undefined ? {} : { threads }),
        views: flags.view,
        events: sources.length === 1 ? events[sources[0]!.name]! : events,
        spine,
        ...(flags.spineTime === undefined ? {} : { spineTimestamp: flags.spineTime }),
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.stop();
      const computed = performance.now();
      await writeTable(result.table, flags.out);
      const rows = result.table.length;
      const features = result.table.columns.size - (spine === 'events' ? events[sources[0]!.name]!.columns.size : spine.columns.size);
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        `backfill: ${formatCount(rows)} rows × ${features} features → ${flags.out} in ${formatSeconds(seconds)} ` +
          `(${formatCount(Math.round(rows / seconds))} rows/s; read ${formatSeconds((loaded - started) / 1000)}, ` +
          `compute ${formatSeconds((computed - loaded) / 1000)}, write ${formatSeconds((performance.now() - computed) / 1000)})\n`,
      );
      if (result.rejected.length > 0) {
        process.stderr.write(`warning: ${result.rejected.length} event(s) have a null key and count in no feature; first: row ${result.rejected[0]!.row}: ${result.rejected[0]!.reason}\n`);
      }
    });
}
