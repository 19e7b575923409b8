import type { AggregationKind, InputValue } from '../features/aggregations.js';
import type { FeatureView } from '../features/feature-view.js';

/**
 * How a view is computed: the distinct inputs it evaluates per event (slots), the distinct
 * window lengths (each one ring of retained events), and where each feature reads from.
 * Compiled once per view and shared by the backfill and stream drivers.
 */

/**
 * What a slot stores per event: `number` (numbers, booleans as 1/0, NaN for null), `presence`
 * (1 or NaN, for counting non-null values of any type), `hash` (32-bit hash for distinct
 * counts, NaN for null) or `raw` (the value itself, for last/lastK of non-numeric inputs).
 */
export type SlotTransform = 'number' | 'presence' | 'hash' | 'raw';

/** A feature input as the engine sees it: a field name or a function of an event object. */
export type SlotInput = string | ((event: Readonly<Record<string, unknown>>) => InputValue);

export interface SlotPlan {
  readonly input: SlotInput;
  readonly transform: SlotTransform;
  /** For messages: the field name, or the first feature that uses the function. */
  readonly label: string;
}

export interface ColumnPlan {
  readonly slot: number;
  readonly storage: 'number' | 'any';
  readonly moments: boolean;
  readonly min: boolean;
  readonly max: boolean;
  /** HyperLogLog precision, 0 when no distinct count reads this column. */
  readonly hllPrecision: number;
  /** Largest k of last/lastK reading this column, 0 when none. */
  readonly lastK: number;
}

export interface FeaturePlan {
  readonly name: string;
  /** Index in the view's feature list (output column order). */
  readonly index: number;
  readonly aggregation: AggregationKind;
  readonly window: number;
  /** Column within the window, -1 for count() of events. */
  readonly column: number;
  readonly k: number;
  /** `number` features are written to Float64 columns with NaN for null. */
  readonly output: 'number' | 'any';
}

export interface WindowPlan {
  /** Window length in ms; Infinity for lifetime. */
  readonly windowMs: number;
  readonly columns: readonly ColumnPlan[];
  readonly features: readonly FeaturePlan[];
}

export interface ViewPlan {
  readonly view: FeatureView;
  readonly slots: readonly SlotPlan[];
  readonly windows: readonly WindowPlan[];
  readonly features: readonly FeaturePlan[];
  readonly allowedLatenessMs: number;
}

function transformFor(view: FeatureView, aggregation: AggregationKind, input: SlotInput): SlotTransform {
  const fieldType = typeof input === 'string' ? view.source.fields.get(input)?.type : undefined;
  switch (aggregation) {
    case 'approxDistinct':
      return 'hash';
    case 'count':
      return fieldType === 'number' || fieldType === 'timestamp' ? 'number' : 'presence';
    case 'last':
    case 'lastK':
      return fieldType === 'number' || fieldType === 'timestamp' ? 'number' : 'raw';
    default:
      return 'number';
  }
}

interface MutableColumn {
  slot: number;
  storage: 'number' | 'any';
  moments: boolean;
  min: boolean;
  max: boolean;
  hllPrecision: number;
  lastK: number;
}

const plans = new WeakMap<FeatureView, ViewPlan>();

/** The plan of a view (compiled once per view object). */
export function planView(view: FeatureView): ViewPlan {
  let plan = plans.get(view);
  if (plan === undefined) plans.set(view, (plan = compile(view)));
  return plan;
}

function compile(view: FeatureView): ViewPlan {
  const slots: SlotPlan[] = [];
  const slotIndex = new Map<SlotInput, Map<SlotTransform, number>>();
  const windowLengths: number[] = [];
  const columnsByWindow: MutableColumn[][] = [];
  const featuresByWindow: FeaturePlan[][] = [];
  const features: FeaturePlan[] = [];

  view.featureNames.forEach((name, index) => {
    const agg = view.features[name]!;
    let w = windowLengths.indexOf(agg.windowMs);
    if (w < 0) {
      w = windowLengths.length;
      windowLengths.push(agg.windowMs);
      columnsByWindow.push([]);
      featuresByWindow.push([]);
    }
    let column = -1;
    let output: 'number' | 'any' = 'number';
    if (agg.input !== undefined) {
      const input = agg.input as SlotInput;
      const transform = transformFor(view, agg.aggregation, input);
      let byTransform = slotIndex.get(input);
      if (byTransform === undefined) slotIndex.set(input, (byTransform = new Map()));
      let slot = byTransform.get(transform);
      if (slot === undefined) {
        slot = slots.length;
        byTransform.set(transform, slot);
        slots.push({ input, transform, label: typeof input === 'string' ? input : `${view.name}.${name}` });
      }
      const columns = columnsByWindow[w]!;
      column = columns.findIndex((c) => c.slot === slot);
      if (column < 0) {
        column = columns.length;
        columns.push({
          slot,
          storage: transform === 'raw' ? 'any' : 'number',
          moments: false,
          min: false,
          max: false,
          hllPrecision: 0,
          lastK: 0,
        });
      }
      const col = columns[column]!;
      switch (agg.aggregation) {
        case 'count':
        case 'sum':
        case 'mean':
        case 'variance':
        case 'std':
          col.moments = true;
          break;
        case 'min':
          col.min = true;
          break;
        case 'max':
          col.max = true;
          break;
        case 'approxDistinct':
          col.hllPrecision = Math.max(col.hllPrecision, agg.precision);
          break;
        case 'last':
          col.lastK = Math.max(col.lastK, 1);
          output = col.storage === 'any' ? 'any' : 'number';
          break;
        case 'lastK':
          col.lastK = Math.max(col.lastK, agg.k);
          output = 'any';
          break;
      }
    }
    const feature: FeaturePlan = { name, index, aggregation: agg.aggregation, window: w, column, k: agg.k, output };
    features.push(feature);
    featuresByWindow[w]!.push(feature);
  });

  // Distinct counts at different precisions on one column would need two sketches; use the
  // column's highest precision for all of them (more precise, never less).
  const windows: WindowPlan[] = windowLengths.map((windowMs, i) => ({
    windowMs,
    columns: columnsByWindow[i]!,
    features: featuresByWindow[i]!,
  }));
  return { view, slots, windows, features, allowedLatenessMs: view.source.allowedLatenessMs };
}
