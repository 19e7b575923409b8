import { TandemError } from '../errors.js';
import type { FeatureView } from './feature-view.js';
import type { ModelDefinition } from './model.js';
import type { RequestFeatures } from './request-features.js';
import type { Source } from './source.js';

/** A model input resolved against the project: which view or request set computes it. */
export interface ModelFeature {
  /** As the model lists it, e.g. 'card_stats.count_1h' or 'count_1h'. */
  readonly ref: string;
  readonly owner: FeatureView | RequestFeatures;
  /** The feature's own name: its column in a backfill and its key in a read. */
  readonly name: string;
}

interface Definitions {
  readonly sources: ReadonlyMap<string, Source>;
  readonly views: ReadonlyMap<string, FeatureView>;
  readonly requestFeatures: ReadonlyMap<string, RequestFeatures>;
}

/** Resolves every feature a model lists; unknown and ambiguous names fail naming the model. */
export function resolveModelFeatures(project: Definitions, model: ModelDefinition): ModelFeature[] {
  const owners = [...project.views.values(), ...project.requestFeatures.values()];
  const resolved = model.features.map((ref): ModelFeature => {
    const dot = ref.indexOf('.');
    if (dot > 0) {
      const ownerName = ref.slice(0, dot);
      const name = ref.slice(dot + 1);
      const owner = project.views.get(ownerName) ?? project.requestFeatures.get(ownerName);
      if (owner === undefined) {
        throw new TandemError(
          'TANDEM_UNKNOWN_FEATURE',
          `unknown feature '${ref}' in model '${model.name}': no feature view or request features named '${ownerName}'`,
          { details: { model: model.name, feature: ref } },
        );
      }
      if (!owner.featureNames.includes(name)) {
        throw new TandemError(
          'TANDEM_UNKNOWN_FEATURE',
          `unknown feature '${ref}' in model '${model.name}' ('${ownerName}' has: ${owner.featureNames.join(', ')})`,
          { details: { model: model.name, feature: ref } },
        );
      }
      return { ref, owner, name };
    }
    const candidates = owners.filter((o) => o.featureNames.includes(ref));
    if (candidates.length === 0) {
      throw new TandemError('TANDEM_UNKNOWN_FEATURE', `unknown feature '${ref}' in model '${model.name}'`, {
        details: { model: model.name, feature: ref },
      });
    }
    if (candidates.length > 1) {
      throw new TandemError(
        'TANDEM_UNKNOWN_FEATURE',
        `feature '${ref}' in model '${model.name}' is ambiguous: write one of ${candidates.map((c) => `'${c.name}.${ref}'`).join(', ')}`,
        { details: { model: model.name, feature: ref } },
      );
    }
    return { ref, owner: candidates[0] as FeatureView | RequestFeatures, name: ref };
  });
  const byName = new Map<string, string>();
  for (const feature of resolved) {
    const other = byName.get(feature.name);
    if (other !== undefined) {
      throw new TandemError(
        'TANDEM_FEATURE_NAME_CLASH',
        `model '${model.name}' reads '${other}' and '${feature.ref}', which share the column name '${feature.name}'; rename one`,
      );
    }
    byName.set(feature.name, feature.ref);
  }
  return resolved;
}

/** The source whose events are the model's training spine, and a check that it has the label. */
export function modelSpineSource(project: Definitions, model: ModelDefinition, features: readonly ModelFeature[]): Source {
  let source: Source | undefined;
  if (model.source !== undefined) {
    source = project.sources.get(model.source);
    if (source === undefined) {
      throw new TandemError('TANDEM_UNKNOWN_SOURCE', `model '${model.name}': unknown source '${model.source}'`);
    }
  } else {
    for (const feature of features) {
      const owner = feature.owner;
      source = owner.kind === 'featureView' ? owner.source : owner.views[0]?.source;
      if (source !== undefined) break;
    }
    if (source === undefined) {
      throw new TandemError(
        'TANDEM_INVALID_DEFINITION',
        `model '${model.name}' reads no feature view; name the source of its training events with 'source'`,
      );
    }
  }
  if (!source.fields.has(model.label)) {
    throw new TandemError(
      'TANDEM_INVALID_DEFINITION',
      `model '${model.name}': label '${model.label}' is not a field of source '${source.name}' (fields: ${[...source.fields.keys()].join(', ')})`,
    );
  }
  return source;
}

/** Every source a model's training reads: its spine first, then those of its views. */
export function modelSources(project: Definitions, model: ModelDefinition): Source[] {
  const features = resolveModelFeatures(project, model);
  const sources = [modelSpineSource(project, model, features)];
  for (const feature of features) {
    const views = feature.owner.kind === 'featureView' ? [feature.owner] : feature.owner.views;
    for (const view of views) if (!sources.includes(view.source)) sources.push(view.source);
  }
  return sources;
}
