import { backfillParallel } from '../engine/backfill-parallel.js';
import type { FeatureValue } from '../features/aggregations.js';
import type { ModelDefinition } from '../features/model.js';
import { modelSources, resolveModelFeatures } from '../features/model-features.js';
import type { Project } from '../features/project.js';
import { columnValue } from '../io/column-value.js';
import type { Table } from '../io/table.js';
import { tableFromRows } from '../io/table-from-rows.js';

/** A served prediction to check: what was served, as of when, for which request. */
export interface ServedSample {
  readonly id: string;
  readonly at: number;
  readonly request: Readonly<Record<string, unknown>>;
  readonly features: Readonly<Record<string, FeatureValue>>;
}

export interface FeatureSkew {
  readonly feature: string;
  readonly checked: number;
  readonly mismatched: number;
  /** Up to three mismatches: the prediction, the served and the recomputed value. */
  readonly examples: readonly { readonly id: string; readonly served: FeatureValue; readonly backfill: FeatureValue }[];
}

export interface SkewReport {
  readonly model: string;
  readonly checked: number;
  /** Share of checked predictions with at least one feature that differs. */
  readonly skewedShare: number;
  readonly features: readonly FeatureSkew[];
}

/** Numbers equal to 1e-9 relative (sums in a different order round differently); everything else exactly. */
function same(a: FeatureValue, b: FeatureValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v as FeatureValue, b[i] as FeatureValue));
  return (a ?? null) === (b ?? null);
}

/**
 * Training/serving skew: the served features of recent predictions, recomputed by the backfill
 * driver (what training sets are built with) over the same events, as of the same times. Any
 * difference is skew: events that arrived after the prediction but carry an earlier time,
 * state lost or double counted, or a definition that changed under a running server.
 */
export async function measureSkew(project: Project, definition: ModelDefinition, samples: readonly ServedSample[], events: Readonly<Record<string, Table>>): Promise<SkewReport> {
  const features = resolveModelFeatures(project, definition);
  const spineSource = modelSources(project, definition)[0]!;
  const owners = [...new Set(features.map((f) => f.owner.name))];
  const rows = samples.map((s) => ({ ...s.request, [spineSource.timestamp]: s.at }));
  const types = Object.fromEntries([...spineSource.fields.values()].filter((f) => rows.some((r) => f.name in r)).map((f) => [f.name, f.type]));
  const spine = tableFromRows(rows, { ...types, [spineSource.timestamp]: 'timestamp' });
  const result = samples.length === 0 ? undefined : await backfillParallel(project, { views: owners, events, spine, spineTimestamp: spineSource.timestamp });
  const perFeature: FeatureSkew[] = [];
  const skewed = new Set<number>();
  for (const feature of features) {
    const column = result?.table.columns.get(feature.name);
    let mismatched = 0;
    const examples: { id: string; served: FeatureValue; backfill: FeatureValue }[] = [];
    samples.forEach((sample, i) => {
      const served = sample.features[feature.name] ?? null;
      const recomputed = (column === undefined ? null : columnValue(column, i)) as FeatureValue;
      if (same(served, recomputed)) return;
      mismatched++;
      skewed.add(i);
      if (examples.length < 3) examples.push({ id: sample.id, served, backfill: recomputed });
    });
    perFeature.push({ feature: feature.name, checked: samples.length, mismatched, examples });
  }
  // The monitor measures skew again and again; the next backfill reuses these columns.
  result?.release();
  return { model: definition.name, checked: samples.length, skewedShare: samples.length === 0 ? 0 : skewed.size / samples.length, features: perFeature };
}
