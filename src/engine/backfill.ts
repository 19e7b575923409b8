import { TandemError } from '../errors.js';
import type { FeatureValue } from '../features/aggregations.js';
import type { FeatureView } from '../features/feature-view.js';
import type { Project } from '../features/project.js';
import type { RequestFeatures } from '../features/request-features.js';
import type { Column, Table } from '../io/table.js';
import { EntityGroupings, NO_POSITION, timeOrder, type Grouping } from './key-ids.js';
import { outputRow } from './outputs.js';
import { planView, type WindowPlan } from './plan.js';
import { evaluateRequestFeatures } from './request-eval.js';
import { isTable, requireColumn, timeColumn } from './table-access.js';
import { columnValue } from '../io/column-value.js';
import { sweepWindow } from './sweep.js';
import { fusable, sweepFused } from './sweep-fused.js';
import { columnOf } from './column-of.js';
import { finishView, groupColumns, prepareView, type ViewJob } from './view-job.js';
import { plainArena } from './buffer-arena.js';
import { WorkingMemory } from './working-memory.js';
import type { FeatureOutputs } from './window-state.js';

export interface BackfillOptions {
  /** Feature views and request-feature sets to compute, in output order. */
  readonly views: readonly string[];
  /** The events: one table when every view reads the same source, else a table per source name. */
  readonly events: Table | Readonly<Record<string, Table>>;
  /** Rows to compute features for (entity keys, a time, anything else passed through), or `'events'`. */
  readonly spine: Table | 'events';
  /** The spine's time column. @default the source's timestamp field */
  readonly spineTimestamp?: string;
  /** Called now and then with spine rows done out of the total (summed over views). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface BackfillRejection {
  readonly source: string;
  /** 1-based row of the events table. */
  readonly row: number;
  readonly code: 'TANDEM_INVALID_KEY';
  readonly reason: string;
}

export interface BackfillResult {
  /** The spine's columns, then each selected view's features as defined. */
  readonly table: Table;
  /** Events that belong to no entity (a key field is null); they count in no feature. */
  readonly rejected: readonly BackfillRejection[];
  /**
   * Hands the result's number feature columns back to the memory backfills work in, so the
   * next backfill in this process reuses them instead of faulting in fresh memory (a few
   * hundred megabytes for a few million rows; bench/README.md "Fairness notes"). For a process
   * that backfills again and again: a scheduled job, a training loop. Neither the table nor
   * any of its columns may be read afterwards; the next backfill overwrites them. Calling it
   * again does nothing. Held memory goes back to the system after a minute without backfills,
   * or at once with `releaseBackfillMemory()`.
   */
  release(): void;
}

interface Selection {
  readonly outputs: readonly (FeatureView | RequestFeatures)[];
  /** Views to compute: the selected ones and the inputs of selected request features. */
  readonly views: readonly FeatureView[];
}

function select(project: Project, names: readonly string[]): Selection {
  if (names.length === 0) throw new TandemError('TANDEM_USAGE', 'backfill needs at least one view');
  const outputs: (FeatureView | RequestFeatures)[] = [];
  const views: FeatureView[] = [];
  const need = (view: FeatureView): void => {
    if (!views.includes(view)) views.push(view);
  };
  for (const name of names) {
    const view = project.views.get(name);
    const set = project.requestFeatures.get(name);
    if (view !== undefined) {
      outputs.push(view);
      need(view);
    } else if (set !== undefined) {
      outputs.push(set);
      set.views.forEach(need);
    } else {
      const known = [...project.views.keys(), ...project.requestFeatures.keys()].join(', ');
      throw new TandemError('TANDEM_UNKNOWN_VIEW', `unknown view '${name}' (known: ${known})`);
    }
  }
  return { outputs, views };
}

function checkClashes(outputs: Selection['outputs'], spine: Table): void {
  const owner = new Map<string, string>();
  for (const column of spine.columns.keys()) owner.set(column, `spine column '${column}'`);
  for (const output of outputs) {
    const kind = output.kind === 'featureView' ? 'feature view' : 'request features';
    for (const feature of output.featureNames) {
      const here = `feature '${feature}' of ${kind} '${output.name}'`;
      const clash = owner.get(feature);
      if (clash !== undefined) {
        throw new TandemError('TANDEM_FEATURE_NAME_CLASH', `${here} has the same name as ${clash}; select views whose feature names differ`);
      }
      owner.set(feature, here);
    }
  }
}

/**
 * The batch driver: for every spine row, each selected view's features as of the row's time,
 * by the same algorithms the stream uses. Events and spine rows are grouped by entity and
 * swept once in time order; an event at the row's time or later is never seen.
 */
export function backfill(project: Project, options: BackfillOptions): BackfillResult {
  // Working arrays from the arena, back to it as each view is done.
  const working = new WorkingMemory(plainArena, (n) => plainArena.float64(n));
  try {
    const run = startBackfill(project, options, working.memory);
    for (const job of run.jobs()) {
      const arrays = working.taken();
      groupColumns(job);
      working.viewGrouped(run);
      const { fused, single } = splitWindows(job);
      if (fused.length > 0) {
        const keys = job.spine.starts.length - 1;
        sweepFused(fused, job.sorted, job.spine, job.grouped, 0, keys, (rows) => run.progress(rows * fused.length));
        run.windowDone(fused.length);
      }
      for (const window of single) {
        sweepWindow(window, job.sorted, job.spine, job.grouped, (rows) => run.progress(rows));
        run.windowDone();
      }
      finishView(job);
      working.release(run, job, arrays);
    }
    return run.result();
  } finally {
    working.finish();
  }
}

/** A view's windows: those one generated sweep computes together, and the rest, one by one. */
export function splitWindows(job: ViewJob): { fused: WindowPlan[]; single: WindowPlan[] } {
  const fused = job.plan.windows.filter(fusable);
  return { fused, single: job.plan.windows.filter((w) => !fused.includes(w)) };
}

export interface BackfillRun {
  /** Prepares each view when the iteration reaches it. */
  jobs(): Iterable<ViewJob>;
  progress(rowsInWindow: number): void;
  /** `windows` windows of the current view are swept. */
  windowDone(windows?: number): void;
  /** The job's grouped columns that a view not yet prepared will read (so they must stay). */
  stillRead(job: ViewJob): readonly Float64Array[];
  /** The number feature columns the views will ask `BackfillMemory.output` for, each of `rows` values. */
  readonly outputs: { readonly columns: number; readonly rows: number };
  result(): BackfillResult;
}

/** Where a backfill puts its arrays: plain memory, or shared memory that worker threads fill. */
export interface BackfillMemory {
  /** Working arrays, dropped when the backfill ends; they may hold anything when given. */
  float64(n: number): Float64Array;
  uint32(n: number): Uint32Array;
  /**
   * Working arrays that views share (time orders, a grouping kept for a longer key), kept
   * until the backfill ends; they may hold anything when given.
   */
  forRun(n: number): Uint32Array;
  /** Feature columns of the result; they may hold anything when given. */
  output(n: number): Float64Array;
  /** The result's feature columns, handed back (`BackfillResult.release`). */
  releaseOutputs(columns: readonly Float64Array[]): void;
}

/**
 * `placeFirstLater`: whether the first view's rows and columns are to be left to another
 * thread to put in grouped order (`placementOf` its job), when its key and events allow.
 */
export function startBackfill(
  project: Project,
  options: BackfillOptions,
  memory: BackfillMemory,
  placeFirstLater: (view: FeatureView) => boolean = () => false,
): BackfillRun {
  const selection = select(project, options.views);
  const sources = [...new Set(selection.views.map((v) => v.source))];
  const eventsOf = (sourceName: string): Table => {
    const events = options.events;
    if (isTable(events)) {
      if (sources.length > 1) {
        throw new TandemError(
          'TANDEM_USAGE',
          `the selected views read several sources (${sources.map((s) => s.name).join(', ')}); pass the events per source`,
        );
      }
      return events;
    }
    const table = events[sourceName];
    if (table === undefined) {
      throw new TandemError('TANDEM_USAGE', `no events given for source '${sourceName}' (given: ${Object.keys(events).join(', ')})`);
    }
    return table;
  };

  let spine: Table;
  let spineTimeName: string | undefined;
  if (options.spine === 'events') {
    if (sources.length !== 1) {
      throw new TandemError('TANDEM_USAGE', `--spine events needs views of one source; these read ${sources.map((s) => s.name).join(', ') || 'none'}`);
    }
    spine = eventsOf(sources[0]!.name);
    spineTimeName = options.spineTimestamp ?? sources[0]!.timestamp;
    // Rows as of another of their times are a spine of their own, grouped apart from the
    // events: one grouping in time order cannot order both.
    if (spineTimeName !== sources[0]!.timestamp) spine = { length: spine.length, columns: spine.columns };
  } else {
    spine = options.spine;
    spineTimeName = options.spineTimestamp ?? sources[0]?.timestamp;
  }
  checkClashes(selection.outputs, spine);
  // Request features that read no view need no time: their values come from the row alone.
  const spineName = options.spine === 'events' ? `the events of source '${sources[0]!.name}'` : 'the spine';
  const spineTimes = spineTimeName === undefined ? new Float64Array(spine.length) : timeColumn(spine, spineTimeName, spineName);
  const spineByTime = timeOrder(spineTimes, memory.forRun);

  // Progress counts spine rows swept, once per window of each view.
  const total = spine.length * selection.views.reduce((sum, view) => sum + planView(view).windows.length, 0);
  let swept = 0;
  const outputs = new Map<FeatureView, FeatureOutputs>();
  const rejected: BackfillRejection[] = [];
  const eventOrders = new Map<Table, { times: Float64Array; byTime: Uint32Array }>();
  const entityGroupings = new Map<Table, EntityGroupings>();
  // Columns moved to the order of a grouping that a later view's key refines (card, then card
  // × merchant), so that view can take them from there.
  const moved = new Map<Grouping, { readonly groupings: EntityGroupings; readonly columns: Map<Float64Array, Float64Array> }>();

  function prepare(view: FeatureView): ViewJob {
    const events = eventsOf(view.source.name);
    let ordered = eventOrders.get(events);
    if (ordered === undefined) {
      // The spine's times already checked, when the events are the spine and time by the same field.
      const times = events === spine && view.source.timestamp === spineTimeName ? spineTimes : timeColumn(events, view.source.timestamp, `the events of source '${view.source.name}'`);
      ordered = { times, byTime: events === spine ? spineByTime : timeOrder(times, memory.forRun) };
      eventOrders.set(events, ordered);
    }
    const sameTable = spine === events;
    let groupings = entityGroupings.get(events);
    if (groupings === undefined) {
      const views = selection.views.filter((v) => v.source === view.source).map((v) => ({ entity: v.entity, view: v.name }));
      entityGroupings.set(events, (groupings = new EntityGroupings(events, ordered.byTime, spine, spineByTime, views, memory.forRun)));
    }
    const { events: eventGroups, spine: spineGroups } = groupings.group(view.entity, view.name, memory.uint32, outputs.size === 0 && placeFirstLater(view));
    // Rows in no group have a null key part (a refined grouping works its positions out here).
    const position = eventGroups.order.length < events.length ? eventGroups.position : undefined;
    for (let i = 0; position !== undefined && i < events.length && rejected.length < 1_000; i++) {
      if (position[i] === NO_POSITION) {
        rejected.push({
          source: view.source.name,
          row: i + 1,
          code: 'TANDEM_INVALID_KEY',
          reason: `a key field of entity '${view.entity.name}' (${view.entity.keys.join(', ')}) is null`,
        });
      }
    }
    const job = prepareView(view, events, ordered.times, eventGroups, spineTimes, spineGroups, spine.length, sameTable, memory, (column, grouping) =>
      moved.get(grouping)?.columns.get(column),
    );
    for (const [grouping, entry] of moved) if (!entry.groupings.willRefine(grouping)) moved.delete(grouping);
    for (const move of job.moves) {
      if (!groupings.willRefine(move.grouping)) continue;
      let entry = moved.get(move.grouping);
      if (entry === undefined) moved.set(move.grouping, (entry = { groupings, columns: new Map() }));
      entry.columns.set(move.column, move.to);
    }
    outputs.set(view, job.out);
    return job;
  }

  return {
    *jobs() {
      for (const view of selection.views) yield prepare(view);
    },
    progress(rows) {
      options.onProgress?.(swept + rows, total);
    },
    windowDone(windows = 1) {
      swept += spine.length * windows;
      options.onProgress?.(swept, total);
    },
    outputs: {
      columns: selection.views.reduce((sum, view) => sum + planView(view).features.filter((f) => f.output === 'number').length, 0),
      rows: spine.length,
    },
    stillRead(job) {
      return job.moves.filter((move) => moved.get(move.grouping)?.columns.get(move.column) === move.to).map((move) => move.to);
    },
    result() {
      const columns = new Map<string, Column>(spine.columns);
      for (const output of selection.outputs) {
        if (output.kind === 'featureView') {
          const plan = planView(output);
          const out = outputs.get(output)!;
          for (const f of plan.features) {
            columns.set(f.name, f.output === 'number' ? { type: 'number', values: out.num[f.index]! } : columnOf(out.any[f.index]!));
          }
        } else {
          for (const [name, values] of requestColumns(output, spine, outputs)) columns.set(name, columnOf(values));
        }
      }
      const numbers = [...outputs.values()].flatMap((out) => out.num.filter((column) => column !== undefined));
      let released = false;
      return {
        table: { length: spine.length, columns },
        rejected,
        release() {
          if (released) return;
          released = true;
          memory.releaseOutputs(numbers);
        },
      };
    },
  };
}

function requestColumns(set: RequestFeatures, spine: Table, outputs: ReadonlyMap<FeatureView, FeatureOutputs>): Map<string, unknown[]> {
  const fields = [...set.requestFields.values()].map((field) => ({
    field,
    column: field.nullable && !spine.columns.has(field.name)
      ? undefined
      : requireColumn(spine, field.name, 'the spine', `request field of request features '${set.name}'`),
  }));
  const inputs = set.views.map((view) => ({ plan: planView(view), out: outputs.get(view)! }));
  const columns = new Map(set.featureNames.map((name) => [name, new Array<unknown>(spine.length)]));
  const row: Record<string, FeatureValue> = {};
  const result: Record<string, FeatureValue> = {};
  for (let i = 0; i < spine.length; i++) {
    for (const { field, column } of fields) row[field.name] = (column === undefined ? null : columnValue(column, i)) as FeatureValue;
    for (const input of inputs) outputRow(input.plan, input.out, i, row);
    try {
      evaluateRequestFeatures(set, row, result);
    } catch (error) {
      if (error instanceof TandemError) throw new TandemError(error.code, `spine row ${i + 1}: ${error.message}`, { cause: error });
      throw error;
    }
    for (const name of set.featureNames) columns.get(name)![i] = result[name];
  }
  return columns;
}

