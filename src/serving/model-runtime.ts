import type { ModelDefinition } from '../features/model.js';
import type { StreamEngine } from '../engine/stream.js';
import { FallbackChain, type PreviousVersion } from './fallback-chain.js';
import type { FeaturePlan } from './feature-plan.js';
import { RuleEvaluator } from './rules.js';
import type { ModelSeries } from './serving-metrics.js';
import type { ShadowVersion } from './shadow-scorer.js';
import type { Row } from '../models/model.js';
import type { MicroBatcher } from './micro-batcher.js';
import type { PredictRequest, Scorer } from './types.js';

/** A registry version with what it reads worked out. */
export class VersionRuntime implements ShadowVersion {
  readonly inputsKey: string;
  /** Set when the model's serving options turn micro-batching on. */
  batcher: MicroBatcher | undefined;
  constructor(
    readonly version: number,
    readonly scorer: Scorer,
    readonly plan: FeaturePlan,
  ) {
    this.inputsKey = scorer.features.map((f) => f.ref).join('\n');
  }

  /** The score of one row: through the batcher when there is one. */
  score(row: Row): number | PromiseLike<number> {
    return this.batcher === undefined ? this.scorer.score(row) : this.batcher.score(row);
  }
}

/** One served model: its versions, serving options, counters and work in flight. */
export class ModelRuntime {
  readonly name: string;
  readonly definition: ModelDefinition;
  readonly chain: FallbackChain;
  readonly rules: RuleEvaluator;
  readonly series: ModelSeries;
  champion!: VersionRuntime;
  previous: VersionRuntime | undefined;
  canary: VersionRuntime | undefined;
  shadow: VersionRuntime | undefined;
  inFlight = 0;
  /** Set while a monitoring alert has switched this model to its fallback chain: the alert's name. */
  forcedBy: string | undefined;

  constructor(definition: ModelDefinition, series: ModelSeries) {
    this.name = definition.name;
    this.definition = definition;
    this.chain = new FallbackChain(definition.serving.fallback);
    this.rules = new RuleEvaluator(definition.serving.rules, definition.serving.defaultDecision);
    this.series = series;
  }
}

/** The 'previous-version' fallback step for one request: reads what that version reads and scores. */
export class PreviousScoring implements PreviousVersion {
  constructor(
    readonly previous: VersionRuntime,
    readonly engine: StreamEngine,
    readonly request: PredictRequest,
    readonly at: number,
  ) {}

  get version(): number {
    return this.previous.version;
  }

  scorePrevious(): number {
    try {
      const read = this.previous.plan.read(this.engine, this.request, this.at);
      const score = this.previous.scorer.score(read.row);
      return typeof score === 'number' ? score : Number.NaN;
    } catch {
      return Number.NaN;
    }
  }
}
