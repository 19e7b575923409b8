import { backfillParallel } from '../engine/backfill-parallel.js';
import type { ModelDefinition } from '../features/model.js';
import { resolveModelFeatures } from '../features/model-features.js';
import type { Project } from '../features/project.js';
import { columnValue } from '../io/column-value.js';
import type { Column, Table } from '../io/table.js';
import type { Row } from '../models/model.js';
import type { LoadedModel } from './bundle.js';

export interface ScorePopulationOptions {
  /** Events by source name, for the features as of each spine row's time. */
  readonly events: Readonly<Record<string, Table>>;
  /** Rows to score: the entity keys, a time column and any request fields; other columns pass through. */
  readonly spine: Table;
  /** The spine's time column. @default the timestamp field of the model's first view's source */
  readonly spineTimestamp?: string;
  /** Add the model's input features as columns. @default false */
  readonly withFeatures?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ScoredPopulation {
  /** The spine's columns, then (optionally) the features, then `score`. */
  readonly table: Table;
  /** Events with a null entity key, which count in no feature. */
  readonly unkeyedEvents: number;
}

/**
 * Batch scoring: the features of every spine row as of its own time (the same backfill that
 * builds training sets), scored by one registry version. What a nightly job runs to score a
 * whole population, e.g. every customer for tomorrow's recommendations.
 */
export async function scorePopulation(project: Project, definition: ModelDefinition, model: LoadedModel, options: ScorePopulationOptions): Promise<ScoredPopulation> {
  const features = resolveModelFeatures(project, definition);
  const owners = [...new Set(features.map((f) => f.owner.name))];
  const result = await backfillParallel(project, {
    views: owners,
    events: options.events,
    spine: options.spine,
    ...(options.spineTimestamp === undefined ? {} : { spineTimestamp: options.spineTimestamp }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const table = result.table;
  const inputs = model.bundle.features.map((f) => ({ name: f.name, column: table.columns.get(f.name) as Column }));
  const scores = new Float64Array(table.length);
  const row: Record<string, unknown> = {};
  for (let i = 0; i < table.length; i++) {
    for (const input of inputs) {
      const value = input.column === undefined ? null : columnValue(input.column, i);
      row[input.name] = Array.isArray(value) ? null : value;
    }
    scores[i] = model.score(row as Row);
  }
  const columns = new Map<string, Column>();
  for (const [name, column] of options.spine.columns) columns.set(name, table.columns.get(name) ?? column);
  if (options.withFeatures === true) for (const input of inputs) if (input.column !== undefined) columns.set(input.name, input.column);
  // Without them, the features are done with: a nightly job's next backfill reuses their columns.
  else result.release();
  columns.set('score', { type: 'number', values: scores });
  return { table: { length: table.length, columns }, unkeyedEvents: result.rejected.length };
}
