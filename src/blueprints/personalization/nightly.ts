import type { CoOccurrence } from './co-occurrence.js';
import { DAY_MS, type Catalog, type SessionEvent } from './sessions.js';

export interface NightlyOptions {
  /** Candidates kept per user. @default 50 */
  readonly candidates?: number;
  /** The user's strongest categories whose popular items are candidates. @default 3 */
  readonly topCategories?: number;
  /** Popular items taken per category. @default 15 */
  readonly itemsPerCategory?: number;
  /** History the job reads, up to the run time. @default 30 days */
  readonly historyMs?: number;
  /** Half-life of a user's interest in a category. @default 7 days */
  readonly tasteHalfLifeMs?: number;
  /** Half-life of an item's popularity. @default 1 day */
  readonly popularityHalfLifeMs?: number;
}

/** One user's nightly recommendations, best first, with the score that ranked them. */
export interface NightlyList {
  readonly items: readonly string[];
  readonly scores: readonly number[];
}

export interface NightlyCandidates {
  /** The time the job ran (a midnight): it used only events before it. */
  readonly at: number;
  /** A user's candidates; users without history get the most popular items. */
  forUser(userId: string): NightlyList;
  /** The most popular items of a category as of the run, best first. */
  popularIn(category: string): readonly string[];
}

/** Index of the first event at or after `at` (events are in time order). */
export function eventsBefore(events: readonly SessionEvent[], at: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.ts < at) lo = mid + 1;
    else hi = mid;
  }
  return hi;
}

/**
 * The nightly batch job: from the history before `at` it scores, per user, the popular items
 * of the user's strongest categories and the co-occurrence neighbours of the user's last items,
 *   score(i) = taste(u, category(i)) · share of i in its category's popularity + cooc(i | last items),
 * and keeps the top `candidates`. The nightly-only baseline recommends the first ten as they
 * are; the real-time path re-ranks them with fresh features. `cooc` must have observed exactly
 * the events before `at` (the driver runs the job at midnight, before the next event).
 */
export function runNightly(
  events: readonly SessionEvent[],
  catalog: Catalog,
  cooc: CoOccurrence,
  at: number,
  options: NightlyOptions = {},
): NightlyCandidates {
  const keep = options.candidates ?? 50;
  const topCategories = options.topCategories ?? 3;
  const perCategory = options.itemsPerCategory ?? 15;
  const from = at - (options.historyMs ?? 30 * DAY_MS);
  const tasteTau = (options.tasteHalfLifeMs ?? 7 * DAY_MS) / Math.LN2;
  const popTau = (options.popularityHalfLifeMs ?? DAY_MS) / Math.LN2;
  const categoryIndex = new Map(catalog.categories.map((c, i) => [c, i]));
  const itemIndex = new Map(catalog.items.map((id, i) => [id, i]));
  const nCategories = catalog.categories.length;

  const popularity = new Float64Array(catalog.items.length);
  const tastes = new Map<string, Float64Array>();
  const lastItems = new Map<string, string[]>();
  const end = eventsBefore(events, at);
  for (let n = eventsBefore(events, from); n < end; n++) {
    const e = events[n]!;
    const age = at - e.ts;
    popularity[itemIndex.get(e.item_id)!]! += Math.exp(-age / popTau);
    let taste = tastes.get(e.user_id);
    if (taste === undefined) tastes.set(e.user_id, (taste = new Float64Array(nCategories)));
    taste[categoryIndex.get(e.category)!]! += Math.exp(-age / tasteTau);
    let recent = lastItems.get(e.user_id);
    if (recent === undefined) lastItems.set(e.user_id, (recent = []));
    const seen = recent.indexOf(e.item_id);
    if (seen >= 0) recent.splice(seen, 1);
    recent.unshift(e.item_id);
    if (recent.length > 3) recent.pop();
  }

  const byCategory: number[][] = catalog.categories.map(() => []);
  catalog.categoryOf.forEach((c, i) => byCategory[categoryIndex.get(c)!]!.push(i));
  const byPopularity = (a: number, b: number): number => popularity[b]! - popularity[a]! || a - b;
  for (const list of byCategory) list.sort(byPopularity);
  const categoryTotal = byCategory.map((list) => list.reduce((s, i) => s + popularity[i]!, 0));
  const popular = byCategory.map((list) => list.slice(0, perCategory).map((i) => catalog.items[i]!));
  const global = catalog.items.map((_, i) => i).sort(byPopularity).slice(0, 10);

  const lists = new Map<string, NightlyList>();
  const score = (userTaste: Float64Array | undefined, tasteTotal: number, item: number, context: readonly string[]): number => {
    const c = categoryIndex.get(catalog.categoryOf[item]!)!;
    // Smoothed toward uniform so that a user with little history still gets popular items.
    const taste = ((userTaste?.[c] ?? 0) + 0.1) / (tasteTotal + 0.1 * nCategories);
    const share = popularity[item]! / Math.max(categoryTotal[c]!, 1e-9);
    return taste * share + cooc.score(catalog.items[item]!, context, at);
  };
  const listFor = (userId: string): NightlyList => {
    const taste = tastes.get(userId);
    const context = lastItems.get(userId) ?? [];
    const total = taste === undefined ? 0 : taste.reduce((s, v) => s + v, 0);
    const pool = new Set<number>(global);
    if (taste !== undefined) {
      const strongest = [...taste.keys()].sort((a, b) => taste[b]! - taste[a]! || a - b).slice(0, topCategories);
      for (const c of strongest) for (const i of byCategory[c]!.slice(0, perCategory)) pool.add(i);
    }
    for (const item of context) for (const id of cooc.neighbours(item, 10)) pool.add(itemIndex.get(id)!);
    const scored = [...pool].map((i) => ({ i, s: score(taste, total, i, context) }));
    scored.sort((a, b) => b.s - a.s || a.i - b.i);
    const top = scored.slice(0, keep);
    return { items: top.map((x) => catalog.items[x.i]!), scores: top.map((x) => x.s) };
  };
  for (const userId of tastes.keys()) lists.set(userId, listFor(userId));
  const cold = listFor('');
  return {
    at,
    forUser: (userId) => lists.get(userId) ?? cold,
    popularIn: (category) => popular[categoryIndex.get(category) ?? -1] ?? [],
  };
}
