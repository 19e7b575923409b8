import type { FallbackKind, Rule, ServingFeatures } from '../features/model-serving.js';

export interface RuleOutcome {
  readonly decision: string;
  /** The rule that decided, null for the default decision. */
  readonly rule: string | null;
  /** Every rule whose condition held, in order; a rule that threw appears as 'name: threw'. */
  readonly reasons: readonly string[];
}

const NO_REASONS: readonly string[] = Object.freeze([]);

/** The mutable argument handed to each `when`; one per evaluator, valid during the call. */
class Input {
  score = 0;
  features: ServingFeatures = {};
  fallback: FallbackKind | null = null;
}

/**
 * Ordered rules: every `when` is evaluated in order, the first that holds decides, and all
 * that hold are reported. A rule that throws does not fire (a rule bug must not fail the
 * prediction) and is reported.
 */
export class RuleEvaluator {
  readonly #rules: readonly Rule[];
  readonly #defaultDecision: string;
  readonly #input = new Input();

  constructor(rules: readonly Rule[], defaultDecision: string) {
    this.#rules = rules;
    this.#defaultDecision = defaultDecision;
  }

  evaluate(score: number, features: ServingFeatures, fallback: FallbackKind | null): RuleOutcome {
    const rules = this.#rules;
    if (rules.length === 0) return { decision: this.#defaultDecision, rule: null, reasons: NO_REASONS };
    const input = this.#input;
    input.score = score;
    input.features = features;
    input.fallback = fallback;
    let decided: Rule | undefined;
    let reasons: string[] | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      let holds: boolean;
      try {
        holds = rule.when(input) === true;
      } catch {
        (reasons ??= []).push(`${rule.name}: threw`);
        continue;
      }
      if (!holds) continue;
      decided ??= rule;
      (reasons ??= []).push(rule.name);
    }
    input.features = {};
    return { decision: decided?.decision ?? this.#defaultDecision, rule: decided?.name ?? null, reasons: reasons ?? NO_REASONS };
  }
}
