import type { FeatureView } from '../features/feature-view.js';
import type { Table } from '../io/table.js';
import { toGroupedOrder, type Grouping } from './key-ids.js';
import { allocateOutputs } from './outputs.js';
import { planView, type ViewPlan } from './plan.js';
import { slotColumns } from './slot-columns.js';
import type { SortedEvents, SortedSpine } from './sweep.js';
import type { FeatureOutputs } from './window-state.js';

/** One view, prepared for its sweeps: columns in grouped order and outputs to fill. */
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
  allocate: (n: number) => Float64Array,
): ViewJob {
  const plan = planView(view);
  const data = slotColumns(plan, events);
  const order = eventGroups.order;
  const sortedTimes = toGroupedOrder(times, eventGroups, allocate);
  const sorted: SortedEvents = {
    times: sortedTimes,
    num: data.num.map((column) => column && toGroupedOrder(column, eventGroups, allocate)),
    any: data.any.map((column) => column && Array.from(order, (i) => column[i])),
    starts: eventGroups.starts,
  };
  const spineGrouping = sameTable ? eventGroups : spineGroups;
  const spine: SortedSpine = {
    times: sameTable ? sortedTimes : toGroupedOrder(spineTimes, spineGroups, allocate),
    starts: spineGrouping.starts,
  };
  // Features are computed in grouped order, then moved to the spine's row order; rows of
  // entities without events, and rows whose key is null, keep the empty-window values.
  const grouped = allocateOutputs(plan, spineGrouping.order.length, allocate);
  const out = allocateOutputs(plan, spineRows);
  for (const f of plan.features) {
    const empty = f.aggregation === 'count' || f.aggregation === 'sum' || f.aggregation === 'approxDistinct' ? 0 : NaN;
    if (f.output === 'number') {
      grouped.num[f.index]!.fill(empty);
      out.num[f.index]!.fill(empty);
    } else {
      const value = f.aggregation === 'lastK' ? EMPTY_LIST : null;
      grouped.any[f.index]!.fill(value);
      out.any[f.index]!.fill(value);
    }
  }
  return { view, plan, sorted, spine, grouped, out, rows: spineGrouping.order };
}

/** Move a view's features from grouped order to the spine's row order. */
export function finishView(job: ViewJob): void {
  for (const f of job.plan.features) {
    if (f.output === 'number') permute(job.grouped.num[f.index]!, job.rows, job.out.num[f.index]!);
    else permute(job.grouped.any[f.index]!, job.rows, job.out.any[f.index]!);
  }
}

const EMPTY_LIST: readonly unknown[] = Object.freeze([]);

/** to[rows[i]] = from[i], one monomorphic loop per array kind. */
function permute<A extends Float64Array | unknown[]>(from: A, rows: Uint32Array, to: A): void {
  for (let i = 0; i < rows.length; i++) to[rows[i]!] = from[i]!;
}
