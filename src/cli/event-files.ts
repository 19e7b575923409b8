import { TandemError } from '../errors.js';
import type { Project } from '../features/project.js';
import type { FieldType } from '../features/schema.js';
import type { Source } from '../features/source.js';

export function schemaTypes(source: Source): Record<string, FieldType> {
  return Object.fromEntries([...source.fields.values()].map((f) => [f.name, f.type]));
}

/** `--events file` for the views' one source, or `--events source=file` per source. */
export function eventFiles(project: Project, sources: readonly Source[], specs: readonly string[]): Map<Source, string> {
  const files = new Map<Source, string>();
  if (sources.length === 0) return files; // request features alone read no events
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const named = eq > 0 ? project.sources.get(spec.slice(0, eq)) : undefined;
    if (named !== undefined) {
      files.set(named, spec.slice(eq + 1));
    } else if (sources.length === 1) {
      files.set(sources[0]!, spec);
    } else {
      throw new TandemError(
        'TANDEM_USAGE',
        `the views read several sources (${sources.map((s) => s.name).join(', ')}); give --events <source>=<file> for each`,
      );
    }
  }
  for (const source of sources) {
    if (!files.has(source)) throw new TandemError('TANDEM_USAGE', `no --events file for source '${source.name}'`);
  }
  return files;
}
