export interface CoOccurrenceOptions {
  /** Half-life of a co-occurrence: older pairs count exponentially less. @default 3 days */
  readonly halfLifeMs?: number;
  /** An item pairs with this many of the session's previous distinct items. @default 5 */
  readonly pairWith?: number;
  /** A session idle for this long is forgotten (its next event starts no pairs). @default 2 hours */
  readonly sessionTimeoutMs?: number;
}

interface SessionItems {
  readonly items: number[];
  lastTs: number;
}

/**
 * Item-item co-occurrence within sessions, time-decayed and updated event by event.
 *
 * Why not a feature view: a view aggregates one entity's events, but a pair count is keyed by
 * two items taken from two different events of a session, and candidate retrieval needs an
 * item's top neighbours, a top-k over a growing key set that no aggregation answers. So this
 * small structure is fed by the same event stream as the engine, in the same time order.
 * Answers use only the events observed so far: the driver asks before it observes an event,
 * which is what makes the co-occurrence score point-in-time correct in training as in serving.
 *
 * Decay uses forward decay (Cormode et al. 2009): an event at `t` adds e^{(t − t0)/τ}, and a read
 * at `now` scales by e^{−(now − t0)/τ}, so nothing is rewritten as time passes. Weights grow by
 * 2 per half-life; over years one would rebase t0, which this blueprint's weeks never need.
 */
export class CoOccurrence {
  readonly #tau: number;
  readonly #pairWith: number;
  readonly #timeout: number;
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];
  /** pairs[a] maps b → decayed weight of (a, b); symmetric. */
  readonly #pairs: Map<number, number>[] = [];
  /** Decayed number of pairs each item took part in. */
  readonly #totals: number[] = [];
  readonly #sessions = new Map<string, SessionItems>();
  #t0: number | undefined;
  #observed = 0;

  constructor(options: CoOccurrenceOptions = {}) {
    this.#tau = (options.halfLifeMs ?? 3 * 86_400_000) / Math.LN2;
    this.#pairWith = options.pairWith ?? 5;
    this.#timeout = options.sessionTimeoutMs ?? 2 * 3_600_000;
  }

  get observed(): number {
    return this.#observed;
  }

  /** Add one event: the item pairs with the session's previous distinct items. */
  observe(sessionId: string, itemId: string, ts: number): void {
    this.#observed++;
    this.#t0 ??= ts;
    const item = this.#id(itemId);
    let session = this.#sessions.get(sessionId);
    if (session === undefined || ts - session.lastTs > this.#timeout) {
      session = { items: [], lastTs: ts };
      this.#sessions.set(sessionId, session);
    }
    session.lastTs = ts;
    const items = session.items;
    if (!items.includes(item)) {
      const w = Math.exp((ts - this.#t0) / this.#tau);
      for (const other of items) {
        this.#add(item, other, w);
        this.#add(other, item, w);
      }
      items.push(item);
      if (items.length > this.#pairWith) items.shift();
    }
    if ((this.#observed & 0x3fff) === 0) this.#forgetIdle(ts);
  }

  /**
   * How strongly the context items point at `itemId` as of `at`: Σ over context items c of
   * w(c, item) / (w(c) + 1), an estimate of P(item | c) smoothed by one pair made at `at`
   * (decay cancels in the ratio; only the smoothing unit depends on the time).
   */
  score(itemId: string, context: readonly string[], at: number): number {
    const item = this.#ids.get(itemId);
    if (item === undefined || this.#t0 === undefined) return 0;
    const unit = Math.exp((at - this.#t0) / this.#tau);
    let s = 0;
    for (const c of context) {
      const id = this.#ids.get(c);
      if (id === undefined || id === item) continue;
      const pair = this.#pairs[id]!.get(item);
      if (pair !== undefined) s += pair / (this.#totals[id]! + unit);
    }
    return s;
  }

  /** The `k` items most often seen with `itemId`, strongest first (ties by first pairing). */
  neighbours(itemId: string, k: number): string[] {
    const item = this.#ids.get(itemId);
    if (item === undefined) return [];
    // Selection into a short sorted list: an item has hundreds of partners, a request wants ten.
    const top: number[] = [];
    const weight: number[] = [];
    for (const [other, w] of this.#pairs[item]!) {
      if (top.length === k && w <= weight[k - 1]!) continue;
      let at = Math.min(top.length, k - 1);
      while (at > 0 && weight[at - 1]! < w) at--;
      top.splice(at, 0, other);
      weight.splice(at, 0, w);
      if (top.length > k) {
        top.pop();
        weight.pop();
      }
    }
    return top.map((id) => this.#names[id]!);
  }

  #add(a: number, b: number, w: number): void {
    const pairs = this.#pairs[a]!;
    pairs.set(b, (pairs.get(b) ?? 0) + w);
    this.#totals[a]! += w;
  }

  #id(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.length;
      this.#ids.set(name, id);
      this.#names.push(name);
      this.#pairs.push(new Map());
      this.#totals.push(0);
    }
    return id;
  }

  #forgetIdle(now: number): void {
    for (const [id, session] of this.#sessions) if (now - session.lastTs > this.#timeout) this.#sessions.delete(id);
  }
}
