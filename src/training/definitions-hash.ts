import type { ModelDefinition } from '../features/model.js';
import type { ModelFeature } from '../features/model-features.js';
import type { FeatureView } from '../features/feature-view.js';
import type { RequestFeatures } from '../features/request-features.js';
import type { Source } from '../features/source.js';
import { canonicalJson, sha256, type JsonValue } from '../models/artifact.js';

/**
 * SHA-256 of everything a model's training depends on in the project file: the model itself
 * and every view, request-feature set, entity and source it reads, with feature functions
 * by their source text. Editing any of them changes the hash; editing other definitions does not.
 */
export function definitionsHash(model: ModelDefinition, features: readonly ModelFeature[], spine: Source): string {
  const owners = new Map<string, FeatureView | RequestFeatures>();
  for (const feature of features) {
    owners.set(feature.owner.name, feature.owner);
    if (feature.owner.kind === 'requestFeatures') for (const view of feature.owner.views) owners.set(view.name, view);
  }
  const sources = new Map<string, Source>([[spine.name, spine]]);
  for (const owner of owners.values()) if (owner.kind === 'featureView') sources.set(owner.source.name, owner.source);
  const description: JsonValue = {
    model: {
      name: model.name,
      features: model.features,
      label: model.label,
      algorithm: model.algorithm.kind,
      params: plain(model.params),
      split: plain(model.split),
      validationShare: model.validationShare,
      online: model.online,
      source: model.source ?? null,
    },
    owners: [...owners.values()].sort(byName).map(describeOwner),
    sources: [...sources.values()].sort(byName).map((source) => ({
      name: source.name,
      timestamp: source.timestamp,
      allowedLatenessMs: source.allowedLatenessMs,
      fields: [...source.fields.values()].map((field) => plain(field)),
    })),
  };
  return sha256(canonicalJson(description));
}

function describeOwner(owner: FeatureView | RequestFeatures): JsonValue {
  if (owner.kind === 'featureView') {
    return {
      kind: 'featureView',
      name: owner.name,
      source: owner.source.name,
      entity: { name: owner.entity.name, keys: owner.entity.keys },
      features: owner.featureNames.map((name) => {
        const aggregation = owner.features[name];
        return {
          name,
          aggregation: aggregation?.aggregation ?? null,
          input: aggregation?.input === undefined ? null : typeof aggregation.input === 'function' ? aggregation.input.toString() : aggregation.input,
          windowMs: Number.isFinite(aggregation?.windowMs) ? (aggregation?.windowMs ?? null) : 'lifetime',
          k: aggregation?.k ?? null,
          precision: aggregation?.precision ?? null,
        };
      }),
    };
  }
  return {
    kind: 'requestFeatures',
    name: owner.name,
    request: [...owner.requestFields.values()].map((field) => plain(field)),
    views: owner.views.map((view) => view.name),
    features: owner.featureNames.map((name) => ({ name, fn: owner.features[name]?.toString() ?? null })),
  };
}

/** JSON-safe copy: drops undefined, turns functions into their source text. */
export function plain(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'function') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [String(k), plain(v)]);
  const out: Record<string, JsonValue> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) if (entry !== undefined) out[key] = plain(entry);
  return out;
}

function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
