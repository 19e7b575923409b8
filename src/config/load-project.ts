import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TandemError } from '../errors.js';
import type { Project } from '../features/project.js';

export const DEFAULT_CONFIG = 'tandem.config.ts';

/**
 * Load a project file (`tandem.config.ts`, or .js/.mjs) exporting a project made with
 * `defineProject`, as `export default` or `export const project`. TypeScript is compiled on
 * the fly with tsx, since Node 20 cannot run it directly.
 */
export async function loadProject(path: string = DEFAULT_CONFIG): Promise<Project> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new TandemError('TANDEM_CONFIG_LOAD', `project file '${path}' not found; create one with 'tandem init' or pass --config <file>`);
  }
  let module: Record<string, unknown>;
  try {
    const { tsImport } = await import('tsx/esm/api');
    module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (cause) {
    if (cause instanceof TandemError) {
      throw new TandemError(cause.code, `${path}: ${cause.message}`, { cause, details: cause.details });
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new TandemError('TANDEM_CONFIG_LOAD', `project file '${path}' failed to load: ${message}`, { cause });
  }
  // Modules compiled to CommonJS put the default export one level down.
  const candidates = [module['default'], module['project'], (module['default'] as Record<string, unknown> | undefined)?.['default']];
  const project = candidates.find((c): c is Project => (c as Project | undefined)?.kind === 'project');
  if (project === undefined) {
    throw new TandemError(
      'TANDEM_CONFIG_LOAD',
      `project file '${path}' must export a project: 'export default defineProject({ ... })' or 'export const project = defineProject({ ... })'`,
    );
  }
  return project;
}
