import { Random } from '../../demo/random.js';

export type EventType = 'view' | 'cart' | 'purchase';

/** One browsing event, as the `interactions` source declares it. */
export type SessionEvent = {
  readonly ts: number;
  readonly user_id: string;
  readonly session_id: string;
  readonly item_id: string;
  readonly category: string;
  readonly event_type: EventType;
};

export interface SessionOptions {
  readonly users: number;
  readonly days: number;
  /** @default 16 */
  readonly categories?: number;
  /** Items per category, in clusters of `CLUSTER_SIZE`. @default 40 */
  readonly itemsPerCategory?: number;
  /** Mean sessions per user per day. @default 0.7 */
  readonly sessionsPerDay?: number;
  /** Start of the history (epoch ms, a midnight UTC). @default 2026-03-02 */
  readonly start?: number;
  readonly seed?: number;
}

export interface Catalog {
  readonly items: readonly string[];
  /** Category of each item, by item index. */
  readonly categoryOf: readonly string[];
  readonly categories: readonly string[];
}

export interface SessionData {
  /** Events in time order; no two share a millisecond. */
  readonly events: readonly SessionEvent[];
  readonly catalog: Catalog;
  readonly start: number;
  readonly days: number;
}

/** Items of one category that are bought together: a session focuses on one such cluster. */
export const CLUSTER_SIZE = 5;
export const DAY_MS = 86_400_000;

/**
 * The structure planted in the data, which the real-time path can exploit and a nightly batch
 * cannot. Probabilities are per step of a session.
 */
export const SESSION_STRUCTURE = {
  /** Each user prefers 2–3 categories; 85 % of their long-term interest goes to them. */
  longTermTaste: 0.85,
  /** A session's intent category comes from the user's taste with this probability, else uniformly (a gift, a new need). */
  intentFromTaste: 0.5,
  /** Next item from the session's focus cluster (complements), popularity-weighted. */
  focusCluster: 0.55,
  /** Switch focus to another cluster of the intent category. */
  switchCluster: 0.1,
  /** Jump to the focus cluster's complement cluster in another category (phone → case). */
  complement: 0.08,
  /** Any item of the intent category. */
  intentCategory: 0.12,
  /** Look again at an item seen earlier in the session. Otherwise (8 %): any item, weighted by current popularity. */
  revisit: 0.07,
  /** Every day about this share of items starts trending: popularity × `trendBoost` for 1–3 days. */
  trendingShare: 0.02,
  trendBoost: 12,
  /** A view leads to a cart of the same item with this probability, a cart to a purchase with the next. */
  cart: 0.12,
  purchase: 0.35,
} as const;

interface Session {
  readonly user: number;
  readonly start: number;
}

/** Cumulative-weight sampling over a fixed list of indices. */
function pick(random: Random, indices: ArrayLike<number>, weight: (i: number) => number): number {
  let total = 0;
  for (let j = 0; j < indices.length; j++) total += weight(indices[j] as number);
  let r = random.next() * total;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j] as number;
    r -= weight(i);
    if (r < 0) return i;
  }
  return indices[indices.length - 1] as number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * E-commerce browsing sessions with the planted structure of `SESSION_STRUCTURE`: long-term
 * category tastes per user, a short-term intent per session (a category and a cluster of
 * complementary items, often outside the user's taste), item popularity that drifts as items
 * trend for a few days, and carts and purchases following views. Deterministic for a seed.
 */
export function generateSessions(options: SessionOptions): SessionData {
  const random = new Random(options.seed ?? 11);
  const s = SESSION_STRUCTURE;
  const nCategories = options.categories ?? 16;
  const perCategory = options.itemsPerCategory ?? 40;
  const start = options.start ?? Date.UTC(2026, 2, 2);
  const days = options.days;
  const clustersPerCategory = Math.ceil(perCategory / CLUSTER_SIZE);
  const categories = Array.from({ length: nCategories }, (_, c) => `c${pad(c, 2)}`);
  const items: string[] = [];
  const categoryOf: string[] = [];
  const itemCategory: number[] = [];
  const itemCluster: number[] = [];
  const clusters: number[][] = [];
  const categoryItems: number[][] = categories.map(() => []);
  for (let c = 0; c < nCategories; c++) {
    for (let k = 0; k < clustersPerCategory; k++) clusters.push([]);
    for (let j = 0; j < perCategory; j++) {
      const i = items.length;
      items.push(`i${pad(i, 5)}`);
      categoryOf.push(categories[c]!);
      itemCategory.push(c);
      const cluster = c * clustersPerCategory + Math.floor(j / CLUSTER_SIZE);
      itemCluster.push(cluster);
      clusters[cluster]!.push(i);
      categoryItems[c]!.push(i);
    }
  }
  // Each cluster's complement lies in another category.
  const complementOf = clusters.map((_, k) => {
    const c = Math.floor(k / clustersPerCategory);
    const other = (c + 1 + random.int(nCategories - 1)) % nCategories;
    return other * clustersPerCategory + random.int(clustersPerCategory);
  });
  // Zipf-like base popularity in random order, so cluster and category do not predict it.
  const base = items.map(() => 1 / Math.pow(1 + random.int(items.length), 0.7));
  // Trend periods: [from, to) per item, a few per item over the history at most.
  const trends: { from: number; to: number }[][] = items.map(() => []);
  for (let d = 0; d < days; d++) {
    const n = Math.round(items.length * s.trendingShare);
    for (let t = 0; t < n; t++) {
      const from = start + d * DAY_MS + Math.floor(random.next() * DAY_MS);
      trends[random.int(items.length)]!.push({ from, to: from + (1 + random.int(3)) * DAY_MS });
    }
  }
  const popularity = (i: number, ts: number): number => {
    for (const trend of trends[i]!) if (ts >= trend.from && ts < trend.to) return base[i]! * s.trendBoost;
    return base[i]!;
  };
  const allItems = Int32Array.from(items, (_, i) => i);

  const tastes = Array.from({ length: options.users }, () => {
    const weights = new Float64Array(nCategories).fill((1 - s.longTermTaste) / nCategories);
    const favourites = 2 + random.int(2);
    for (let f = 0; f < favourites; f++) weights[random.int(nCategories)]! += s.longTermTaste / favourites;
    return weights;
  });
  const categoryIndices = Int32Array.from(categories, (_, c) => c);

  const sessions: Session[] = [];
  const end = start + days * DAY_MS;
  for (let u = 0; u < options.users; u++) {
    const rate = (options.sessionsPerDay ?? 0.7) * (0.4 + 1.2 * random.next());
    for (let t = start + random.exponential(DAY_MS / rate); t < end; t += random.exponential(DAY_MS / rate)) {
      sessions.push({ user: u, start: Math.floor(t) });
    }
  }
  sessions.sort((a, b) => a.start - b.start || a.user - b.user);

  const events: SessionEvent[] = [];
  sessions.forEach((session, n) => {
    const user = `u${pad(session.user, 5)}`;
    const sessionId = `s${pad(n, 7)}`;
    const taste = tastes[session.user]!;
    const intent = random.next() < s.intentFromTaste ? pick(random, categoryIndices, (c) => taste[c]!) : random.int(nCategories);
    let ts = session.start;
    const clusterWeight = (k: number): number => clusters[k]!.reduce((sum, i) => sum + popularity(i, ts), 0);
    const intentClusters = Int32Array.from({ length: clustersPerCategory }, (_, k) => intent * clustersPerCategory + k);
    let focus = pick(random, intentClusters, clusterWeight);
    const seen: number[] = [];
    const length = 3 + Math.min(17, Math.floor(random.exponential(5)));
    for (let step = 0; step < length; step++) {
      let item: number;
      const r = random.next();
      if (step === 0 || r < s.focusCluster) {
        item = pick(random, clusters[focus]!, (i) => popularity(i, ts));
      } else if (r < s.focusCluster + s.switchCluster) {
        focus = pick(random, intentClusters, clusterWeight);
        item = pick(random, clusters[focus]!, (i) => popularity(i, ts));
      } else if (r < s.focusCluster + s.switchCluster + s.complement) {
        focus = complementOf[focus]!;
        item = pick(random, clusters[focus]!, (i) => popularity(i, ts));
      } else if (r < s.focusCluster + s.switchCluster + s.complement + s.intentCategory) {
        item = pick(random, categoryItems[intent]!, (i) => popularity(i, ts));
      } else if (r < s.focusCluster + s.switchCluster + s.complement + s.intentCategory + s.revisit) {
        item = seen[random.int(seen.length)]!;
      } else {
        item = pick(random, allItems, (i) => popularity(i, ts));
      }
      seen.push(item);
      const emit = (type: EventType): void => {
        events.push({ ts, user_id: user, session_id: sessionId, item_id: items[item]!, category: categoryOf[item]!, event_type: type });
      };
      emit('view');
      if (random.next() < s.cart) {
        ts += 5_000 + Math.floor(random.exponential(20_000));
        emit('cart');
        if (random.next() < s.purchase) {
          ts += 10_000 + Math.floor(random.exponential(60_000));
          emit('purchase');
        }
      }
      ts += 10_000 + Math.floor(random.exponential(60_000));
    }
  });
  // Sessions overlap in time: order all events, then make times unique so that "before this
  // event" is never ambiguous (a shift of a few ms at most).
  events.sort((a, b) => a.ts - b.ts || (a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : 0));
  const unique: SessionEvent[] = [];
  let previous = -Infinity;
  for (const e of events) {
    const ts = e.ts <= previous ? previous + 1 : e.ts;
    unique.push(ts === e.ts ? e : { ...e, ts });
    previous = ts;
  }
  return { events: unique.filter((e) => e.ts < end), catalog: { items, categoryOf, categories }, start, days };
}

