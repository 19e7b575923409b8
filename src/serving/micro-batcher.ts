import type { Row } from '../models/model.js';
import type { Scorer } from './types.js';

interface Pending {
  readonly row: Row;
  readonly resolve: (score: number) => void;
  readonly reject: (error: unknown) => void;
}

export interface MicroBatcherOptions {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  /** Told the size of every batch scored (metrics). */
  readonly onBatch?: (size: number) => void;
}

/**
 * Adaptive micro-batching in front of one scorer, in the spirit of Triton's dynamic batcher but
 * without a fixed delay when there is no queue: the first request of a batch is scored on the
 * next turn of the event loop, together with whatever arrived in the same turn. Only after a
 * full batch (demand beyond `maxBatch` per turn) does the batcher wait up to `maxWaitMs` for the
 * next one to fill, since waiting when every caller is already in the batch only adds latency.
 * A full batch is scored at once. A failing batch call fails each of its requests (their
 * fallbacks answer).
 */
export class MicroBatcher {
  readonly #scorer: Scorer;
  readonly #options: MicroBatcherOptions;
  #queue: Pending[] = [];
  #scheduled = false;
  /** Whether the previous batch was full: the load signal. */
  #lastFull = false;

  constructor(scorer: Scorer, options: MicroBatcherOptions) {
    this.#scorer = scorer;
    this.#options = options;
  }

  /** Requests waiting for their batch. */
  get queued(): number {
    return this.#queue.length;
  }

  score(row: Row): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ row, resolve, reject });
      if (this.#queue.length >= this.#options.maxBatch) {
        this.#flush();
        return;
      }
      if (this.#scheduled) return;
      this.#scheduled = true;
      if (this.#lastFull && this.#options.maxWaitMs > 0) setTimeout(() => this.#flush(), this.#options.maxWaitMs);
      else setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      this.#lastFull = batch.length === this.#options.maxBatch;
      this.#options.onBatch?.(batch.length);
      let scores: ArrayLike<number>;
      try {
        const batchScore = this.#scorer.scoreBatch;
        scores = batchScore !== undefined ? batchScore(batch.map((p) => p.row)) : batch.map((p) => this.#scoreOne(p.row));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
        continue;
      }
      batch.forEach((pending, i) => pending.resolve(scores[i] as number));
      // A partial batch ends the flush; requests that arrive later schedule the next one.
      if (batch.length < this.#options.maxBatch) break;
    }
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #scoreOne(row: Row): number {
    const score = this.#scorer.score(row);
    if (typeof score !== 'number') throw new Error('a scorer without scoreBatch must score synchronously to be batched');
    return score;
  }
}
