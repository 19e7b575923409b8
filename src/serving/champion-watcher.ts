import type { Project } from '../features/project.js';
import type { ModelRegistry } from '../registry/registry.js';
import { loadServedModel, servedVersions } from './load-served-models.js';
import type { Predictor } from './predictor.js';

export interface ChampionWatcherOptions {
  /** How often the registry is asked where the champion alias points. @default 5_000 */
  readonly intervalMs?: number;
}

/**
 * Hot reload: polls the registry and, when an alias a model is served with has moved
 * (champion, or its canary or shadow alias), loads the versions and swaps them into the predictor. The swap is one assignment,
 * so no request fails: those in progress finish with the version they started with.
 */
export class ChampionWatcher {
  readonly #project: Project;
  readonly #registry: ModelRegistry;
  readonly #predictor: Predictor;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<string[]> = Promise.resolve([]);

  constructor(project: Project, registry: ModelRegistry, predictor: Predictor, options: ChampionWatcherOptions = {}) {
    this.#project = project;
    this.#registry = registry;
    this.#predictor = predictor;
    this.#intervalMs = options.intervalMs ?? 5_000;
  }

  start(): void {
    this.#timer = setInterval(() => void this.check().catch((error: unknown) => process.stderr.write(`hot reload: ${error instanceof Error ? error.message : String(error)}\n`)), this.#intervalMs);
    this.#timer.unref();
  }

  /** Check once now; resolves with the models reloaded. One check runs at a time. */
  check(): Promise<string[]> {
    this.#checking = this.#checking.catch(() => []).then(() => this.#check());
    return this.#checking;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checking.catch(() => undefined);
  }

  async #check(): Promise<string[]> {
    const reloaded: string[] = [];
    const served = new Set(this.#predictor.models);
    for (const definition of this.#project.models.values()) {
      const name = definition.name;
      const versions = await servedVersions(this.#registry, definition);
      if (versions === undefined) continue;
      const current = served.has(name) ? new Map(this.#predictor.versions(name).map(([, role, version]) => [role, version])) : undefined;
      if (current !== undefined && (['champion', 'previous', 'canary', 'shadow'] as const).every((role) => current.get(role) === versions[role])) continue;
      this.#predictor.replace(name, await loadServedModel(this.#registry, definition, versions));
      this.#predictor.metrics.reloads.series([name]).inc();
      reloaded.push(name);
    }
    return reloaded;
  }
}
