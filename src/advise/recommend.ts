import { ARCHITECTURES, ARCHITECTURE_SUMMARIES, type Architecture } from './architectures.js';
import { DEFAULT_PRICES, DEFAULT_SIZING, estimateCost, type CostEstimate, type Prices, type Sizing } from './cost.js';
import { CRITERIA, HARD_RULES } from './criteria.js';
import type { Profile } from './profile.js';
import { setupFor, type Setup } from './setup.js';
import { DEFAULT_THROUGHPUT, type Throughput } from './throughput.js';

export interface RecommendOptions {
  readonly throughput?: Throughput;
  readonly prices?: Prices;
  readonly sizing?: Sizing;
}

export interface RuledOut {
  readonly rule: string;
  readonly criterion: string;
  readonly reason: string;
  readonly rulesOut: readonly Architecture[];
}

export interface CriterionResult {
  readonly id: string;
  readonly name: string;
  readonly weight: number;
  readonly why: string;
  readonly note: string;
  /** Fit in [−1, 1] per architecture. */
  readonly fits: Readonly<Record<Architecture, number>>;
  /** weight × fit per architecture. */
  readonly contributions: Readonly<Record<Architecture, number>>;
}

export interface Ranked {
  readonly architecture: Architecture;
  readonly score: number;
  /** The hard rules that exclude it (empty when it is eligible). */
  readonly ruledOutBy: readonly string[];
  readonly monthlyCost: number;
}

export interface RunnerUp {
  readonly architecture: Architecture;
  readonly score: number | null;
  readonly whyNot: string;
}

export interface Recommendation {
  readonly architecture: Architecture;
  /** e.g. 'online-learning on the Kappa path'. */
  readonly label: string;
  readonly summary: string;
  readonly score: number;
  readonly ranking: readonly Ranked[];
  readonly hardRules: readonly RuledOut[];
  readonly criteria: readonly CriterionResult[];
  /** The criteria that separated the winner from the runner-up, strongest first, and the hard rules that applied. */
  readonly decidingCriteria: readonly string[];
  readonly reasons: readonly string[];
  readonly runnersUp: readonly RunnerUp[];
  readonly setup: Setup;
  readonly cost: CostEstimate;
  readonly throughput: Throughput;
  readonly prices: Prices;
  readonly sizing: Sizing;
}

const round = (v: number): number => Math.round(v * 100) / 100;
const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;

/**
 * Recommend an architecture: hard rules first, then the weighted criteria, then the
 * concrete setup and the cost of the winner. Deterministic for a profile and inputs.
 */
export function recommend(profile: Profile, options: RecommendOptions = {}): Recommendation {
  const throughput = options.throughput ?? DEFAULT_THROUGHPUT;
  const prices = options.prices ?? DEFAULT_PRICES;
  const sizing = options.sizing ?? DEFAULT_SIZING;
  const estimates = Object.fromEntries(ARCHITECTURES.map((a) => [a, estimateCost(a, profile, throughput, prices, sizing)])) as Record<Architecture, CostEstimate>;
  const costs = Object.fromEntries(ARCHITECTURES.map((a) => [a, estimates[a].total])) as Record<Architecture, number>;

  const hardRules: RuledOut[] = HARD_RULES.filter((rule) => rule.applies(profile)).map((rule) => ({
    rule: rule.id,
    criterion: rule.criterion,
    reason: rule.reason(profile),
    rulesOut: rule.rulesOut,
  }));
  const criteria: CriterionResult[] = CRITERIA.map((criterion) => {
    const { note, fits } = criterion.assess(profile, { throughput, costs });
    const contributions = Object.fromEntries(ARCHITECTURES.map((a) => [a, round(criterion.weight * fits[a])])) as Record<Architecture, number>;
    return { id: criterion.id, name: criterion.name, weight: criterion.weight, why: criterion.why, note, fits, contributions };
  });

  const ranking: Ranked[] = ARCHITECTURES.map((architecture) => ({
    architecture,
    score: round(criteria.reduce((s, c) => s + c.contributions[architecture], 0)),
    ruledOutBy: hardRules.filter((r) => r.rulesOut.includes(architecture)).map((r) => r.rule),
    monthlyCost: round(costs[architecture]),
  })).sort((a, b) => Number(a.ruledOutBy.length > 0) - Number(b.ruledOutBy.length > 0) || b.score - a.score || ARCHITECTURES.indexOf(a.architecture) - ARCHITECTURES.indexOf(b.architecture));

  // Every architecture ruled out cannot happen with the rules above (real-time is never ruled out), but stay total.
  const winner = ranking[0]!;
  const chosen = winner.architecture;
  const eligible = ranking.filter((r) => r.ruledOutBy.length === 0);
  const second = eligible[1];

  const margins = second === undefined ? [] : criteria.map((c) => ({ c, margin: round(c.contributions[chosen] - c.contributions[second.architecture]) })).filter((m) => m.margin > 0).sort((a, b) => b.margin - a.margin);
  const decidingCriteria = [...new Set([...hardRules.map((r) => r.criterion), ...margins.slice(0, 3).map((m) => m.c.name)])];

  const reasons: string[] = [
    ...hardRules.map((r) => `${r.reason} — rules out ${r.rulesOut.join(', ')}`),
    ...criteria
      .filter((c) => c.contributions[chosen] > 0)
      .sort((a, b) => b.contributions[chosen] - a.contributions[chosen])
      .slice(0, 4)
      .map((c) => `${c.name} (weight ${c.weight}): ${c.note} → ${signed(c.contributions[chosen])} for ${chosen}`),
  ];

  const runnersUp: RunnerUp[] = ranking.slice(1).map((r) => {
    if (r.ruledOutBy.length > 0) {
      return { architecture: r.architecture, score: null, whyNot: hardRules.filter((h) => r.ruledOutBy.includes(h.rule)).map((h) => h.reason).join('; ') };
    }
    const against = criteria
      .map((c) => ({ c, margin: round(c.contributions[chosen] - c.contributions[r.architecture]) }))
      .filter((m) => m.margin > 0)
      .sort((a, b) => b.margin - a.margin)
      .slice(0, 2)
      .map((m) => `${m.c.name} ${signed(-m.margin)}`);
    return { architecture: r.architecture, score: r.score, whyNot: `${round(winner.score - r.score).toFixed(2)} points behind: ${against.join(', ') || 'no criterion favours it'}` };
  });

  // Online learning rides on a streaming path: choose it as the learning mode when it is
  // eligible and scores above zero next to a streaming winner.
  const onlineRank = ranking.find((r) => r.architecture === 'online-learning')!;
  const learnsOnline = chosen === 'online-learning' || ((chosen === 'kappa' || chosen === 'real-time') && onlineRank.ruledOutBy.length === 0 && onlineRank.score > 0 && profile.drift === 'high');
  const setup = setupFor(chosen, profile, estimates[chosen], { online: learnsOnline });
  const label =
    chosen === 'online-learning'
      ? `online learning on ${setup.deployment === 'scale-out' || profile.eventsPerSecond.peak >= 10_000 ? 'the Kappa path (the log is the history)' : 'streaming features'}`
      : learnsOnline
        ? `${chosen} with online learning`
        : chosen;

  return {
    architecture: chosen,
    label,
    summary: ARCHITECTURE_SUMMARIES[chosen],
    score: winner.score,
    ranking,
    hardRules,
    criteria,
    decidingCriteria,
    reasons,
    runnersUp,
    setup,
    cost: estimates[chosen],
    throughput,
    prices,
    sizing,
  };
}
