/** Next-item ranking quality at a cutoff k, with one relevant item per request. */
export interface RankingMetrics {
  readonly requests: number;
  /** Share of requests whose next item is in the top k. */
  readonly hitRate: number;
  /** Mean of 1/rank over requests (0 when the item is not in the top k). */
  readonly mrr: number;
  /** Mean of 1/log2(rank + 1) (0 outside the top k): NDCG with a single relevant item. */
  readonly ndcg: number;
}

/** Accumulates the 1-based rank of each request's next item (0: not ranked in the top k). */
export class RankingAccumulator {
  readonly k: number;
  #requests = 0;
  #hits = 0;
  #reciprocal = 0;
  #gain = 0;

  constructor(k: number) {
    this.k = k;
  }

  add(rank: number): void {
    this.#requests++;
    if (rank < 1 || rank > this.k) return;
    this.#hits++;
    this.#reciprocal += 1 / rank;
    this.#gain += 1 / Math.log2(rank + 1);
  }

  result(): RankingMetrics {
    const n = Math.max(1, this.#requests);
    return { requests: this.#requests, hitRate: this.#hits / n, mrr: this.#reciprocal / n, ndcg: this.#gain / n };
  }
}

/** 1-based position of `target` in `ranked`, 0 when absent. */
export function rankOf(ranked: readonly string[], target: string): number {
  return ranked.indexOf(target) + 1;
}
