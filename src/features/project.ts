import { TandemError } from '../errors.js';
import type { Entity } from './entity.js';
import type { FeatureView } from './feature-view.js';
import { checkSchedule, jobModel, type JobDefinitionInProject } from './job.js';
import type { ModelDefinition } from './model.js';
import { modelSpineSource, resolveModelFeatures } from './model-features.js';
import type { RequestFeatures } from './request-features.js';
import type { Source } from './source.js';

export interface ProjectOptions {
  readonly name?: string;
  /** Sources; those used by views are added automatically. @default [] */
  readonly sources?: readonly Source[];
  readonly entities?: readonly Entity[];
  readonly views?: readonly FeatureView[];
  readonly requestFeatures?: readonly RequestFeatures[];
  readonly models?: readonly ModelDefinition[];
  /** Scheduled jobs: batch scoring, backfills, drift reports, extra retraining (`job()`). */
  readonly jobs?: readonly JobDefinitionInProject[];
}

export interface Project {
  readonly kind: 'project';
  readonly name: string;
  readonly sources: ReadonlyMap<string, Source>;
  readonly entities: ReadonlyMap<string, Entity>;
  readonly views: ReadonlyMap<string, FeatureView>;
  readonly requestFeatures: ReadonlyMap<string, RequestFeatures>;
  readonly models: ReadonlyMap<string, ModelDefinition>;
  readonly jobs: ReadonlyMap<string, JobDefinitionInProject>;
}

/** `what`: the kind of definition, in the plural (it names several). */
function addUnique<T extends { readonly name: string }>(map: Map<string, T>, item: T, what: string): void {
  const existing = map.get(item.name);
  if (existing !== undefined && existing !== item) {
    throw new TandemError('TANDEM_INVALID_DEFINITION', `two different ${what} are named '${item.name}': define it once and use that definition everywhere`);
  }
  map.set(item.name, item);
}

/** Gather and cross-check the definitions of one project. */
export function defineProject(options: ProjectOptions): Project {
  const sources = new Map<string, Source>();
  const entities = new Map<string, Entity>();
  const views = new Map<string, FeatureView>();
  const requests = new Map<string, RequestFeatures>();
  for (const s of options.sources ?? []) addUnique(sources, s, 'sources');
  for (const e of options.entities ?? []) addUnique(entities, e, 'entities');
  for (const v of options.views ?? []) {
    if (v?.kind !== 'featureView') {
      throw new TandemError('TANDEM_INVALID_DEFINITION', 'project views must be made with featureView()');
    }
    addUnique(views, v, 'feature views');
    addUnique(sources, v.source, 'sources');
    addUnique(entities, v.entity, 'entities');
  }
  for (const r of options.requestFeatures ?? []) {
    if (r?.kind !== 'requestFeatures') {
      throw new TandemError('TANDEM_INVALID_DEFINITION', 'project requestFeatures must be made with requestFeatures()');
    }
    if (views.has(r.name)) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `request features '${r.name}' has the name of a feature view`);
    }
    addUnique(requests, r, 'request feature sets');
    for (const v of r.views) {
      if (views.get(v.name) !== v) {
        throw new TandemError(
          'TANDEM_INVALID_DEFINITION',
          `request features '${r.name}' reads feature view '${v.name}', which is not in the project's views`,
        );
      }
    }
  }
  const models = new Map<string, ModelDefinition>();
  for (const m of options.models ?? []) {
    if (m?.kind !== 'model') {
      throw new TandemError('TANDEM_INVALID_DEFINITION', 'project models must be made with model()');
    }
    addUnique(models, m, 'models');
    const definitions = { sources, views, requestFeatures: requests };
    modelSpineSource(definitions, m, resolveModelFeatures(definitions, m));
    if (m.retrain.schedule !== undefined) checkSchedule(`model '${m.name}': retrain`, m.retrain.schedule);
  }
  const jobs = new Map<string, JobDefinitionInProject>();
  for (const j of options.jobs ?? []) {
    if (j?.kind !== 'job') throw new TandemError('TANDEM_INVALID_DEFINITION', 'project jobs must be made with job()');
    addUnique(jobs, j, 'jobs');
    const model = jobModel(j.task);
    if (model !== undefined && !models.has(model)) {
      throw new TandemError('TANDEM_INVALID_DEFINITION', `job '${j.name}' names unknown model '${model}' (the project defines: ${[...models.keys()].join(', ') || 'none'})`);
    }
    if ('backfill' in j.task) {
      for (const view of j.task.backfill.views) {
        if (!views.has(view) && !requests.has(view)) throw new TandemError('TANDEM_INVALID_DEFINITION', `job '${j.name}' names unknown feature view '${view}'`);
      }
    }
  }
  return {
    kind: 'project',
    name: options.name ?? 'tandem',
    sources,
    entities,
    views,
    requestFeatures: requests,
    models,
    jobs,
  };
}
