import type { Comparison, Disagreement, ReplayResult, VersionReport } from './types.js';

/** How many of the largest score differences the report lists. */
const TOP = 5;

/** Metrics where a larger value is better; the others are better smaller. */
const HIGHER_IS_BETTER: Readonly<Record<string, boolean>> = {
  rocAuc: true,
  prAuc: true,
  logLoss: false,
  stoppedPrecision: true,
  stoppedRecall: true,
  mae: false,
  rmse: false,
};

/** Two versions' answers to the same events, counted as they go. */
export class ComparisonTally {
  readonly #labels: readonly [string, string];
  readonly #confusion: Record<string, Record<string, number>> = {};
  #top: Disagreement[] = [];
  #compared = 0;
  #agreed = 0;

  constructor(labels: readonly [string, string]) {
    this.#labels = labels;
  }

  record(result: ReplayResult): void {
    const a = result.predictions[this.#labels[0]];
    const b = result.predictions[this.#labels[1]];
    if (a?.status !== 'answered' || b?.status !== 'answered') return;
    this.#compared++;
    if (a.decision === b.decision) this.#agreed++;
    const row = (this.#confusion[a.decision] ??= {});
    row[b.decision] = (row[b.decision] ?? 0) + 1;
    const difference = Math.abs(a.score - b.score);
    const top = this.#top;
    if (difference === 0 || (top.length === TOP && difference <= Math.abs(top[TOP - 1]!.scores[0] - top[TOP - 1]!.scores[1]))) return;
    top.push({ id: result.id, at: result.at, label: result.label, scores: [a.score, b.score], decisions: [a.decision, b.decision] });
    // Stable: of equal differences, the earlier event stays ahead.
    this.#top = top.sort((x, y) => Math.abs(y.scores[0] - y.scores[1]) - Math.abs(x.scores[0] - x.scores[1])).slice(0, TOP);
  }

  report(versions: readonly [VersionReport, VersionReport]): Comparison {
    return {
      labels: this.#labels,
      compared: this.#compared,
      agreement: this.#compared === 0 ? Number.NaN : this.#agreed / this.#compared,
      confusion: this.#confusion,
      disagreements: this.#top,
      winners: winners(versions),
    };
  }
}

/** For each metric both versions have a number for: the better one's label, or 'tie'. */
function winners([a, b]: readonly [VersionReport, VersionReport]): Record<string, string> {
  const out: Record<string, string> = {};
  if (a.metrics === null || b.metrics === null || a.metrics.task !== b.metrics.task) return out;
  const left = a.metrics as unknown as Record<string, unknown>;
  const right = b.metrics as unknown as Record<string, unknown>;
  for (const [metric, higher] of Object.entries(HIGHER_IS_BETTER)) {
    const x = left[metric];
    const y = right[metric];
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    out[metric] = x === y ? 'tie' : x > y === higher ? a.label : b.label;
  }
  return out;
}
