import { backfill } from '../../engine/backfill.js';
import { columnOf } from '../../engine/column-of.js';
import { evaluateRequestFeatures } from '../../engine/request-eval.js';
import type { StreamEngine } from '../../engine/stream.js';
import type { FeatureValue } from '../../features/aggregations.js';
import type { Column, Table } from '../../io/table.js';
import { dataset, type Dataset } from '../../models/dataset.js';
import type { Candidate } from './candidates.js';
import {
  candidateFeatures,
  itemPopularity,
  personalizationProject,
  RERANK_FEATURES,
  sessionCategoryStats,
  sessionItemStats,
  userCategoryStats,
  userItemStats,
} from './project.js';
import type { SessionEvent } from './sessions.js';

/** The request a set of candidates is ranked for: who, in which session, when. */
export interface RankRequest {
  readonly ts: number;
  readonly user_id: string;
  readonly session_id: string;
}

/** Training rows as columns: one per (request, candidate), with the label. */
export class CandidateSpine {
  readonly ts: number[] = [];
  readonly user_id: string[] = [];
  readonly session_id: string[] = [];
  readonly item_id: string[] = [];
  readonly category: string[] = [];
  readonly cooc_score: number[] = [];
  readonly nightly_score: number[] = [];
  readonly nightly_rank: (number | null)[] = [];
  readonly label: number[] = [];

  get length(): number {
    return this.ts.length;
  }

  push(request: RankRequest, c: Candidate, label: number): void {
    this.ts.push(request.ts);
    this.user_id.push(request.user_id);
    this.session_id.push(request.session_id);
    this.item_id.push(c.item_id);
    this.category.push(c.category);
    this.cooc_score.push(c.cooc_score);
    this.nightly_score.push(c.nightly_score);
    this.nightly_rank.push(c.nightly_rank);
    this.label.push(label);
  }

  table(): Table {
    const columns = new Map<string, Column>();
    columns.set('ts', { type: 'timestamp', values: Float64Array.from(this.ts) });
    const rest = { user_id: this.user_id, session_id: this.session_id, item_id: this.item_id, category: this.category };
    for (const [name, values] of Object.entries(rest)) columns.set(name, columnOf(values));
    columns.set('cooc_score', { type: 'number', values: Float64Array.from(this.cooc_score) });
    columns.set('nightly_score', { type: 'number', values: Float64Array.from(this.nightly_score) });
    columns.set('nightly_rank', { type: 'number', values: Float64Array.from(this.nightly_rank, (r) => r ?? Number.NaN) });
    columns.set('label', { type: 'number', values: Float64Array.from(this.label) });
    return { length: this.length, columns };
  }
}

/** The events as the `interactions` source's table. */
export function eventsTable(events: readonly SessionEvent[]): Table {
  const columns = new Map<string, Column>();
  columns.set('ts', { type: 'timestamp', values: Float64Array.from(events, (e) => e.ts) });
  for (const field of ['user_id', 'session_id', 'item_id', 'category', 'event_type'] as const) {
    columns.set(field, columnOf(events.map((e) => e[field])));
  }
  return { length: events.length, columns };
}

/**
 * Training features by backfill: the spine's columns, then the candidate features of each row
 * as of its own time, from events strictly before it (the engine's point-in-time rule).
 */
export function backfillCandidateFeatures(events: readonly SessionEvent[], spine: Table): Table {
  return backfill(personalizationProject, { views: [candidateFeatures.name], events: eventsTable(events), spine }).table;
}

/** The re-ranker's input columns from a backfilled table (label from its `label` column, if asked). */
export function featureDataset(table: Table, options: { withLabel?: boolean } = {}): Dataset {
  const numeric = (name: string): Float64Array => {
    const column = table.columns.get(name);
    return column !== undefined && (column.type === 'number' || column.type === 'boolean') ? column.values : new Float64Array(table.length).fill(Number.NaN);
  };
  return dataset({
    featureNames: RERANK_FEATURES,
    columns: RERANK_FEATURES.map(numeric),
    ...(options.withLabel === true ? { label: numeric('label') } : {}),
  });
}

/** Views keyed by the candidate; `user_recent` and `session_recent` depend on the request alone. */
const CANDIDATE_VIEWS = [itemPopularity, userCategoryStats, sessionCategoryStats, userItemStats, sessionItemStats].map((v) => v.name);

/**
 * Serving: the candidate features of one request read from the live engine as of the request
 * time. The request's own views are read once (pass them if already read), the candidate's
 * views once per candidate, and the features are computed by the same functions backfill runs
 * (`evaluateRequestFeatures`), so a value here equals the backfilled value for the same row.
 */
export function liveCandidateFeatures(
  engine: StreamEngine,
  request: RankRequest & { userRead?: Record<string, FeatureValue>; sessionRead?: Record<string, FeatureValue> },
  candidates: readonly Candidate[],
): Dataset {
  const at = { at: request.ts };
  const row: Record<string, FeatureValue> = {
    ts: request.ts,
    ...(request.userRead ?? engine.read('user_recent', request.user_id, at)),
    ...(request.sessionRead ?? engine.read('session_recent', request.session_id, at)),
  };
  const columns = RERANK_FEATURES.map(() => new Float64Array(candidates.length));
  const values: Record<string, FeatureValue> = {};
  candidates.forEach((c, i) => {
    Object.assign(row, c);
    const key = { user_id: request.user_id, session_id: request.session_id, item_id: c.item_id, category: c.category };
    for (const view of CANDIDATE_VIEWS) Object.assign(row, engine.read(view, key, at));
    evaluateRequestFeatures(candidateFeatures, row, values);
    RERANK_FEATURES.forEach((name, j) => {
      const v = values[name];
      columns[j]![i] = typeof v === 'number' ? v : Number.NaN;
    });
  });
  return dataset({ featureNames: RERANK_FEATURES, columns });
}
