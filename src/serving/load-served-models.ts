import type { ModelDefinition } from '../features/model.js';
import type { Project } from '../features/project.js';
import type { ModelRegistry } from '../registry/registry.js';
import { LoadedModel } from '../training/bundle.js';
import { scorerOf } from './scorer.js';
import type { ServedModel, ServedVersion } from './types.js';

/** The alias a served model answers with. */
export const SERVED_ALIAS = 'champion';

/** Which registry versions a model's serving uses: champion, the one before it, canary, shadow. */
export interface ServedVersions {
  readonly champion: number;
  readonly previous: number | undefined;
  readonly canary: number | undefined;
  readonly shadow: number | undefined;
}

/** Where the model's aliases point now; undefined when it has no champion. */
export async function servedVersions(registry: ModelRegistry, definition: ModelDefinition): Promise<ServedVersions | undefined> {
  const champion = await registry.get(definition.name, SERVED_ALIAS);
  if (champion === undefined) return undefined;
  const previous = (await registry.versions(definition.name)).filter((v) => v.version < champion.version).at(-1);
  const { canary, shadow } = definition.serving;
  return {
    champion: champion.version,
    previous: previous?.version,
    canary: canary === undefined ? undefined : (await registry.get(definition.name, canary.alias))?.version,
    shadow: shadow === undefined ? undefined : (await registry.get(definition.name, shadow.alias))?.version,
  };
}

/** Loads the versions `servedVersions` names. */
export async function loadServedModel(registry: ModelRegistry, definition: ModelDefinition, versions: ServedVersions): Promise<ServedModel> {
  const load = async (version: number | undefined): Promise<ServedVersion | undefined> =>
    version === undefined ? undefined : { version, scorer: scorerOf(LoadedModel.fromText(await registry.artifact(definition.name, version))) };
  return {
    champion: (await load(versions.champion))!,
    previous: await load(versions.previous),
    canary: await load(versions.canary),
    shadow: await load(versions.shadow),
  };
}

/** Every project model that has a champion, by name. */
export async function loadServedModels(project: Project, registry: ModelRegistry): Promise<Map<string, ServedModel>> {
  const served = new Map<string, ServedModel>();
  for (const definition of project.models.values()) {
    const versions = await servedVersions(registry, definition);
    if (versions !== undefined) served.set(definition.name, await loadServedModel(registry, definition, versions));
  }
  return served;
}
