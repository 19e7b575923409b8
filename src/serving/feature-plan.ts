import type { FeatureValue } from '../features/aggregations.js';
import type { FeatureView } from '../features/feature-view.js';
import type { ModelDefinition } from '../features/model.js';
import { resolveModelFeatures } from '../features/model-features.js';
import type { Project } from '../features/project.js';
import type { RequestFeatures } from '../features/request-features.js';
import type { Field } from '../features/schema.js';
import { evaluateRequestFeatures } from '../engine/request-eval.js';
import type { StreamEngine } from '../engine/stream.js';
import type { Row } from '../models/model.js';
import type { PredictRequest, Scorer } from './types.js';

interface Input {
  readonly name: string;
  /** Index into the plan's views (a view feature) or request sets (a request-time feature). */
  readonly view: number;
  readonly set: number;
}

interface RequestSetPlan {
  readonly set: RequestFeatures;
  /** Indexes of the set's input views in the plan's views. */
  readonly views: readonly number[];
}

export interface FeatureRead {
  /** The model's inputs by name, in model order. */
  readonly row: Row;
  /** Some view has never seen the request's entity. */
  readonly missing: boolean;
}

/**
 * What one model version reads, worked out once: each view once (for its own features and
 * for the request-time features that read it), the request-time feature sets, and where each
 * input of the model comes from.
 */
export class FeaturePlan {
  readonly views: readonly FeatureView[];
  readonly requestSets: readonly RequestSetPlan[];
  /** Fields the request must carry: request fields of every set, by name. */
  readonly requestFields: ReadonlyMap<string, Field>;
  /** Entity key fields the request must carry. */
  readonly keyFields: readonly string[];
  readonly #inputs: readonly Input[];

  constructor(project: Project, definition: ModelDefinition, scorer: Scorer) {
    const resolved = resolveModelFeatures(project, { ...definition, features: scorer.features.map((f) => f.ref) });
    const views: FeatureView[] = [];
    const viewIndex = (view: FeatureView): number => {
      const i = views.indexOf(view);
      return i >= 0 ? i : views.push(view) - 1;
    };
    const sets: RequestSetPlan[] = [];
    const requestFields = new Map<string, Field>();
    this.#inputs = resolved.map((feature) => {
      const owner = feature.owner;
      if (owner.kind === 'featureView') return { name: feature.name, view: viewIndex(owner), set: -1 };
      let set = sets.findIndex((s) => s.set === owner);
      if (set < 0) {
        set = sets.push({ set: owner, views: owner.views.map(viewIndex) }) - 1;
        for (const [name, field] of owner.requestFields) requestFields.set(name, field);
      }
      return { name: feature.name, view: -1, set };
    });
    this.views = views;
    this.requestSets = sets;
    this.requestFields = requestFields;
    this.keyFields = [...new Set(views.flatMap((view) => view.entity.keys))];
  }

  /**
   * One online read per view, the request-time features, and the model's row. Throws
   * TandemError for a bad key or a read older than the state holds, and TANDEM_FEATURE_VALUE
   * when a request-time feature throws.
   */
  read(engine: StreamEngine, request: PredictRequest, at: number): FeatureRead {
    const views = this.views;
    const values = new Array<Record<string, FeatureValue>>(views.length);
    let missing = false;
    for (let v = 0; v < views.length; v++) {
      const read = engine.readEntity(views[v]!.name, request, { at });
      if (read.lastEventAt === null) missing = true;
      values[v] = read.values;
    }
    const sets = this.requestSets;
    const computed = new Array<Record<string, FeatureValue>>(sets.length);
    for (let s = 0; s < sets.length; s++) {
      const plan = sets[s]!;
      const input: Record<string, FeatureValue> = {};
      for (const name of plan.set.requestFields.keys()) input[name] = (request[name] ?? null) as FeatureValue;
      for (const v of plan.views) Object.assign(input, values[v]);
      computed[s] = evaluateRequestFeatures(plan.set, input);
    }
    const row: Record<string, FeatureValue> = {};
    const inputs = this.#inputs;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      row[input.name] = (input.view >= 0 ? values[input.view]! : computed[input.set]!)[input.name] ?? null;
    }
    return { row: row as Row, missing };
  }
}
