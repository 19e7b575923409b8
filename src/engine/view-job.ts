import type { FeatureView } from '../features/feature-view.js';
import type { BackfillMemory } from './backfill.js';
import type { Table } from '../io/table.js';
import { gatherFromParent, type Grouping } from './key-ids.js';
import { allocateOutputs } from './outputs.js';
import { ensurePlaced, scatterToGrouped, type Placement } from './placement.js';
import { planView, type FeaturePlan, type ViewPlan } from './plan.js';
import { slotColumns } from './slot-columns.js';
import type { SortedEvents, SortedSpine } from './sweep.js';
import type { FeatureOutputs } from './window-state.js';

/** One view, prepared for its sweeps: columns to put in grouped order and outputs to fill. */
export interface ViewJob {
  readonly view: FeatureView;
  readonly plan: ViewPlan;
  readonly sorted: SortedEvents;
  readonly spine: SortedSpine;
  /** Features in grouped order, as the sweeps write them. */
  readonly grouped: FeatureOutputs;
  /** Features in the spine's row order, filled by `finishView`. */
  readonly out: FeatureOutputs;
  readonly rows: Uint32Array;
  /** Columns to move to grouped order before the sweeps (`groupColumns`). */
  readonly moves: readonly Move[];
}

/**
 * A column in row order put in a grouping's order: scattered by the rows' positions, or, when
 * an earlier view put it in the order of the grouping this one refines, read from that copy
 * within each parent group (`gatherFromParent`) instead of scattering every row over the whole
 * column.
 */
export type Move = { readonly column: Float64Array; readonly grouping: Grouping; readonly to: Float64Array } & (
  | { readonly kind: 'scatter'; readonly position: Uint32Array }
  | { readonly kind: 'refine'; readonly inParent: Float64Array; readonly via: Uint32Array }
  // Moved by the grouping's placement, with its rows.
  | { readonly kind: 'placed'; readonly placement: Placement }
);

/**
 * Where an earlier view of the same backfill put `column` in `grouping`'s order, if it did and
 * the copy is still there.
 */
export type MovedColumns = (column: Float64Array, grouping: Grouping) => Float64Array | undefined;

/**
 * Fill the job's sorted columns: all of them, or, with `placing` (the job's placement, which
 * worker threads have been given), those it does not place.
 */
export function groupColumns(job: ViewJob, placing?: Placement): void {
  for (const move of job.moves) {
    if (move.kind === 'scatter') {
      scatterToGrouped(move.column, move.position, move.to);
    } else if (move.kind === 'placed') {
      if (move.placement !== placing) ensurePlaced(move.placement);
    } else {
      const parent = move.grouping.refines!.parent.placement;
      if (parent !== undefined) ensurePlaced(parent);
      gatherFromParent(move.inParent, move.via, move.to);
    }
  }
}

export function prepareView(
  view: FeatureView,
  events: Table,
  times: Float64Array,
  eventGroups: Grouping,
  spineTimes: Float64Array,
  spineGroups: Grouping,
  spineRows: number,
  sameTable: boolean,
  memory: BackfillMemory,
  moved: MovedColumns = () => undefined,
): ViewJob {
  const plan = planView(view);
  // Feature functions' values are working arrays too (numeric fields are read in place).
  const data = slotColumns(plan, events, memory.float64);
  const moves: Move[] = [];
  const grouping = (column: Float64Array, groups: Grouping): Float64Array => {
    const to = memory.float64(groups.order.length);
    const refines = groups.refines;
    const inParent = refines && moved(column, refines.parent);
    const placement = groups.placement;
    if (placement !== undefined) {
      // Placed beside the rows, by threads that read shared memory only.
      let source = column;
      if (!(column.buffer instanceof SharedArrayBuffer)) (source = memory.float64(column.length)).set(column);
      placement.columns.push(source);
      placement.sorted.push(to);
      moves.push({ kind: 'placed', column, grouping: groups, to, placement });
    } else if (inParent !== undefined) moves.push({ kind: 'refine', column, grouping: groups, to, inParent, via: refines!.via });
    // The rows' positions of a refined grouping are worked out here, in this view's working memory.
    else moves.push({ kind: 'scatter', column, grouping: groups, to, position: groups.position });
    return to;
  };
  const sortedTimes = grouping(times, eventGroups);
  const sorted: SortedEvents = {
    times: sortedTimes,
    num: data.num.map((column) => column && grouping(column, eventGroups)),
    // Values of other types are gathered here, from the order once its rows are placed.
    any: data.any.map((column) => column && Array.from(placed(eventGroups), (i) => column[i])),
    starts: eventGroups.starts,
  };
  const spineGrouping = sameTable ? eventGroups : spineGroups;
  const spine: SortedSpine = {
    times: sameTable ? sortedTimes : grouping(spineTimes, spineGroups),
    starts: spineGrouping.starts,
  };
  // Features are computed in grouped order, then moved to the spine's row order; rows of
  // entities without events, and rows whose key is null, keep the empty-window values. The
  // sweeps write every row of an entity with events, so only the rows of entities without
  // any need their empty values in grouped order, and only rows without a key in row order
  // (the output columns may come from an earlier, released result).
  const grouped = allocateOutputs(plan, spineGrouping.order.length, memory.float64);
  const out = allocateOutputs(plan, spineRows, memory.output);
  const idle = idleRanges(spineGrouping.starts, eventGroups.starts);
  const keyless = spineGrouping.order.length < spineRows;
  for (const f of plan.features) {
    if (f.output === 'number') {
      const empty = f.aggregation === 'count' || f.aggregation === 'sum' || f.aggregation === 'approxDistinct' ? 0 : NaN;
      const column = grouped.num[f.index]!;
      for (let r = 0; r < idle.length; r += 2) column.fill(empty, idle[r]!, idle[r + 1]!);
      if (keyless) out.num[f.index]!.fill(empty);
    } else {
      const empty = f.aggregation === 'lastK' ? EMPTY_LIST : null;
      grouped.any[f.index]!.fill(empty);
      out.any[f.index]!.fill(empty);
    }
  }
  return { view, plan, sorted, spine, grouped, out, rows: spineGrouping.order, moves };
}

/** The placement of the job's events, when their rows are still to be put in grouped order. */
export function placementOf(job: ViewJob): Placement | undefined {
  for (const move of job.moves) if (move.kind === 'placed') return move.placement;
  return undefined;
}

/** A grouping's order, its rows placed. */
function placed(grouping: Grouping): Uint32Array {
  if (grouping.placement !== undefined) ensurePlaced(grouping.placement);
  return grouping.order;
}

/** Spine positions of entities that have rows but no events, as [from, to) pairs. */
function idleRanges(spineStarts: Uint32Array, eventStarts: Uint32Array): number[] {
  const ranges: number[] = [];
  for (let k = 0; k + 1 < spineStarts.length; k++) {
    if (eventStarts[k] !== eventStarts[k + 1] || spineStarts[k] === spineStarts[k + 1]) continue;
    if (ranges.length > 0 && ranges[ranges.length - 1] === spineStarts[k]) ranges[ranges.length - 1] = spineStarts[k + 1]!;
    else ranges.push(spineStarts[k]!, spineStarts[k + 1]!);
  }
  return ranges;
}

/** Move a view's features (all, or these) from grouped order to the spine's row order. */
export function finishView(job: ViewJob, features: readonly FeaturePlan[] = job.plan.features): void {
  for (const f of features) {
    if (f.output === 'number') permute(job.grouped.num[f.index]!, job.rows, job.out.num[f.index]!);
    else permute(job.grouped.any[f.index]!, job.rows, job.out.any[f.index]!);
  }
}

const EMPTY_LIST: readonly unknown[] = Object.freeze([]);

/** to[rows[i]] = from[i] for i in [lo, hi), one monomorphic loop per array kind. */
export function permute<A extends Float64Array | unknown[]>(from: A, rows: Uint32Array, to: A, lo = 0, hi = rows.length): void {
  for (let i = lo; i < hi; i++) to[rows[i]!] = from[i]!;
}
