import type { CoOccurrence } from './co-occurrence.js';
import type { NightlyCandidates } from './nightly.js';

/** One candidate for a request, with the request fields the re-ranker's features read. */
export interface Candidate {
  readonly item_id: string;
  readonly category: string;
  readonly cooc_score: number;
  readonly nightly_score: number;
  /** 1-based position in the user's nightly list; null for session-derived candidates. */
  readonly nightly_rank: number | null;
}

/** What is known about a request when its candidates are gathered. */
export interface RequestContext {
  readonly at: number;
  readonly userId: string;
  /** The session's items so far, newest first (the `session_recent.session_items` feature). */
  readonly sessionItems: readonly string[];
  /** The category of the session's latest event (`session_recent.session_category`). */
  readonly sessionCategory: string | null;
  /** The user's latest items over all sessions, newest first (`user_recent.user_items`). */
  readonly userItems: readonly string[];
}

export interface CandidateSources {
  readonly nightly: NightlyCandidates;
  readonly cooc: CoOccurrence;
  readonly categoryOf: ReadonlyMap<string, string>;
}

/** Neighbours taken per context item, context items used, and popular items of the session's category. */
export const SESSION_CANDIDATES = { contextItems: 3, neighbours: 10, categoryPopular: 10 } as const;

/** The items a request's score is conditioned on: the session's, or at a session's start the user's. */
export function contextItems(request: RequestContext): readonly string[] {
  return request.sessionItems.length > 0 ? request.sessionItems : request.userItems.slice(0, 2);
}

/**
 * Candidates for one request: the user's nightly list, then the live co-occurrence neighbours
 * of the latest context items, then the nightly popular items of the session's category. Each
 * carries the live co-occurrence score against the context.
 */
export function gatherCandidates(request: RequestContext, sources: CandidateSources): Candidate[] {
  const { nightly, cooc, categoryOf } = sources;
  const context = contextItems(request);
  const list = nightly.forUser(request.userId);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (item: string, nightlyRank: number | null, nightlyScore: number): void => {
    if (seen.has(item)) return;
    seen.add(item);
    out.push({
      item_id: item,
      category: categoryOf.get(item)!,
      cooc_score: cooc.score(item, context, request.at),
      nightly_score: nightlyScore,
      nightly_rank: nightlyRank,
    });
  };
  list.items.forEach((item, i) => add(item, i + 1, list.scores[i]!));
  for (const c of context.slice(0, SESSION_CANDIDATES.contextItems)) {
    for (const item of cooc.neighbours(c, SESSION_CANDIDATES.neighbours)) add(item, null, 0);
  }
  if (request.sessionCategory !== null) {
    for (const item of nightly.popularIn(request.sessionCategory).slice(0, SESSION_CANDIDATES.categoryPopular)) add(item, null, 0);
  }
  return out;
}
