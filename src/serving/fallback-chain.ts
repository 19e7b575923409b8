import type { FallbackDefinition, FallbackReason, ServingFeatures } from '../features/model-serving.js';
import type { FallbackUse } from './types.js';

export interface FallbackAnswer {
  readonly score: number;
  /** The registry version that scored (previous-version), else null. */
  readonly version: number | null;
  readonly use: FallbackUse;
}

/** How the chain scores with the previous registry version; returns NaN when it cannot. */
export interface PreviousVersion {
  readonly version: number;
  scorePrevious(): number;
}

/**
 * A model's configured fallback chain: the first step that applies to the reason and gives a
 * finite score answers. A heuristic that throws, or a previous version that fails, passes on
 * to the next step.
 */
export class FallbackChain {
  readonly #steps: readonly FallbackDefinition[];

  constructor(steps: readonly FallbackDefinition[]) {
    this.#steps = steps;
  }

  /** Whether any step would try to answer for this reason. */
  covers(reason: FallbackReason): boolean {
    return this.#steps.some((step) => step.on.has(reason));
  }

  answer(reason: FallbackReason, features: ServingFeatures, previous: PreviousVersion | undefined): FallbackAnswer | undefined {
    for (const step of this.#steps) {
      if (!step.on.has(reason)) continue;
      let score = Number.NaN;
      let version: number | null = null;
      if (step.kind === 'default') score = step.score;
      else if (step.kind === 'heuristic') {
        try {
          score = step.heuristic!(features);
        } catch {
          continue;
        }
      } else if (previous !== undefined) {
        score = previous.scorePrevious();
        version = previous.version;
      }
      if (typeof score === 'number' && Number.isFinite(score)) return { score, version, use: { kind: step.kind, name: step.name, reason } };
    }
    return undefined;
  }
}
