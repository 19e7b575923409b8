import type { FeatureValue } from '../features/aggregations.js';
import type { ViewPlan } from './plan.js';
import type { FeatureOutputs } from './window-state.js';

/** Output buffers for `rows` rows of a view's features. */
export function allocateOutputs(plan: ViewPlan, rows: number, allocate: (n: number) => Float64Array = (n) => new Float64Array(n)): FeatureOutputs {
  return {
    num: plan.features.map((f) => (f.output === 'number' ? allocate(rows) : undefined)),
    any: plan.features.map((f) => (f.output === 'any' ? new Array<unknown>(rows).fill(null) : undefined)),
  };
}

/** One row of outputs as a record of feature values (NaN read back as null). */
export function outputRow(plan: ViewPlan, out: FeatureOutputs, row: number, into: Record<string, FeatureValue> = {}): Record<string, FeatureValue> {
  for (const f of plan.features) {
    if (f.output === 'number') {
      const v = out.num[f.index]![row]!;
      into[f.name] = v === v ? v : null;
    } else {
      into[f.name] = out.any[f.index]![row] as FeatureValue;
    }
  }
  return into;
}
