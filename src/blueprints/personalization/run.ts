import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../demo/random.js';
import type { FeatureValue } from '../../features/aggregations.js';
import { StreamEngine } from '../../engine/stream.js';
import type { Table } from '../../io/table.js';
import { writeTable } from '../../io/write-table.js';
import { Gbdt } from '../../models/gbdt/index.js';
import { gatherCandidates, type CandidateSources, type RequestContext } from './candidates.js';
import { CoOccurrence } from './co-occurrence.js';
import { eventsBefore, runNightly, type NightlyCandidates } from './nightly.js';
import { personalizationProject, RERANK_FEATURES } from './project.js';
import { RankingAccumulator, rankOf, type RankingMetrics } from './ranking-metrics.js';
import { backfillCandidateFeatures, CandidateSpine, eventsTable, featureDataset, liveCandidateFeatures } from './rerank-features.js';
import { DAY_MS, generateSessions, type SessionData, type SessionEvent } from './sessions.js';

export type PersonalizationScale = 'test' | 'full';

export interface PersonalizationOptions {
  /** Where to write the events, the training set and the report; nothing is written without it. */
  readonly dir?: string;
  /** 'test' runs in a few seconds, 'full' in under a minute. @default 'test' */
  readonly scale?: PersonalizationScale;
  /** @default 7 */
  readonly seed?: number;
  readonly onProgress?: (line: string) => void;
}

interface ScaleConfig {
  readonly users: number;
  readonly days: number;
  /** Days of history before the first training request. */
  readonly warmDays: number;
  readonly trainDays: number;
  /** Share of view events in the training days that become training requests. */
  readonly trainShare: number;
  /** Share of view events in the held-out days that are evaluated. */
  readonly evalShare: number;
}

export const PERSONALIZATION_SCALES: Readonly<Record<PersonalizationScale, ScaleConfig>> = {
  test: { users: 250, days: 12, warmDays: 6, trainDays: 3, trainShare: 0.5, evalShare: 0.25 },
  full: { users: 2_000, days: 21, warmDays: 10, trainDays: 5, trainShare: 0.15, evalShare: 0.07 },
};

/** Rank cutoff of every metric. */
export const K = 10;
/** Negatives kept per training request beside its one positive. */
const NEGATIVES = 15;
const GBDT_PARAMS = { rounds: 80, learningRate: 0.1, maxDepth: 5, minChildWeight: 5, threads: 1 } as const;

export interface Comparison {
  readonly nightly: RankingMetrics;
  readonly realtime: RankingMetrics;
}

export interface PersonalizationReport {
  readonly scale: PersonalizationScale;
  readonly seed: number;
  readonly data: {
    readonly users: number;
    readonly items: number;
    readonly categories: number;
    readonly sessions: number;
    readonly events: number;
    readonly days: number;
    /** Day ranges (0-based, end exclusive): history only, training requests, held-out evaluation. */
    readonly warmDays: readonly [number, number];
    readonly trainDays: readonly [number, number];
    readonly evalDays: readonly [number, number];
  };
  readonly training: {
    readonly requests: number;
    /** Requests whose next item was among the candidates (the others teach nothing and are left out). */
    readonly requestsWithPositive: number;
    readonly rows: number;
    readonly features: readonly string[];
    /** GBDT total gain per feature, largest first. */
    readonly importance: readonly { readonly feature: string; readonly gain: number }[];
  };
  readonly evaluation: {
    readonly k: number;
    readonly overall: Comparison & {
      /** The real-time model restricted to the nightly candidates: re-ranking alone, no new candidates. */
      readonly nightlyReranked: RankingMetrics;
    };
    /** Requests at a session's first event (no session context yet) and later in a session. */
    readonly sessionStart: Comparison;
    readonly inSession: Comparison;
    /** Share of requests whose next item is among the candidates. */
    readonly candidateRecall: { readonly nightly: number; readonly realtime: number };
    readonly meanCandidates: number;
  };
  /** Wall-clock figures; they vary from run to run, unlike everything else in the report. */
  readonly timing: {
    readonly seconds: number;
    readonly rerankP50Ms: number;
    readonly rerankP99Ms: number;
  };
}

/** Context for a request at event `e`, read from the live feature state just before `e`. */
function requestContext(
  engine: StreamEngine,
  e: SessionEvent,
): RequestContext & { sessionEvents: number; userRead: Record<string, FeatureValue>; sessionRead: Record<string, FeatureValue> } {
  const session = engine.read('session_recent', e.session_id, { at: e.ts });
  const user = engine.read('user_recent', e.user_id, { at: e.ts });
  return {
    at: e.ts,
    userId: e.user_id,
    sessionItems: session['session_items'] as string[],
    sessionCategory: (session['session_category'] as string | null) ?? null,
    userItems: user['user_items'] as string[],
    sessionEvents: session['session_events'] as number,
    userRead: user,
    sessionRead: session,
  };
}

function percentile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const dayOf = (data: SessionData, ts: number): number => Math.floor((ts - data.start) / DAY_MS);

/**
 * The personalization blueprint end to end. Events replay in time order through the stream
 * engine and the co-occurrence structure; each midnight the nightly job computes candidates
 * from the history before it. In the training days, sampled view events become requests whose
 * candidates are labelled (1 for the item viewed next) and get point-in-time features by
 * backfill; a GBDT re-ranker is fitted on them. In the held-out days, every sampled view event
 * is a request: the nightly-only baseline recommends the user's nightly top 10, the real-time
 * path re-ranks nightly and session candidates with features read live, and both are scored
 * on whether they ranked the item actually viewed.
 */
export async function runPersonalizationBlueprint(options: PersonalizationOptions = {}): Promise<PersonalizationReport> {
  const started = performance.now();
  const scale = options.scale ?? 'test';
  const seed = options.seed ?? 7;
  const config = PERSONALIZATION_SCALES[scale];
  const say = options.onProgress ?? ((): void => {});
  const data = generateSessions({ users: config.users, days: config.days, seed });
  const { events, catalog } = data;
  const sessions = new Set(events.map((e) => e.session_id)).size;
  say(`generated ${events.length} events: ${config.users} users, ${sessions} sessions, ${catalog.items.length} items in ${catalog.categories.length} categories over ${config.days} days`);

  const trainFrom = data.start + config.warmDays * DAY_MS;
  const evalFrom = trainFrom + config.trainDays * DAY_MS;
  const engine = new StreamEngine(personalizationProject);
  const cooc = new CoOccurrence();
  const categoryOf = new Map(catalog.items.map((id, i) => [id, catalog.categoryOf[i]!]));
  const sampler = new Random(seed ^ 0x5eed);
  const spine = new CandidateSpine();
  let trainRequests = 0;
  let withPositive = 0;
  let model: Gbdt | undefined;
  let importance: { feature: string; gain: number }[] = [];
  let trainingTable: Table | undefined;
  let nightly: NightlyCandidates | undefined;
  let nextMidnight = trainFrom;

  const accumulators = {
    nightly: new RankingAccumulator(K),
    realtime: new RankingAccumulator(K),
    nightlyReranked: new RankingAccumulator(K),
    startNightly: new RankingAccumulator(K),
    startRealtime: new RankingAccumulator(K),
    inNightly: new RankingAccumulator(K),
    inRealtime: new RankingAccumulator(K),
  };
  let recallNightly = 0;
  let recallRealtime = 0;
  let candidateCount = 0;
  const latencies: number[] = [];

  const train = (): void => {
    say(`training requests: ${trainRequests} (${withPositive} with the next item among the candidates) → ${spine.length} rows`);
    const history = events.slice(0, eventsBefore(events, evalFrom));
    const t0 = performance.now();
    trainingTable = backfillCandidateFeatures(history, spine.table());
    say(`backfill: ${RERANK_FEATURES.length} point-in-time features for ${spine.length} rows (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const gbdt = new Gbdt({ ...GBDT_PARAMS, seed });
    const fit = gbdt.fit(featureDataset(trainingTable, { withLabel: true }));
    importance = Object.entries(fit.featureImportance)
      .map(([feature, gain]) => ({ feature, gain }))
      .sort((a, b) => b.gain - a.gain || (a.feature < b.feature ? -1 : 1));
    model = gbdt;
    say(`re-ranker: GBDT, ${fit.iterations} trees; strongest features: ${importance.slice(0, 4).map((f) => f.feature).join(', ')}`);
  };

  const collect = (e: SessionEvent, sources: CandidateSources): void => {
    const context = requestContext(engine, e);
    const candidates = gatherCandidates(context, sources);
    trainRequests++;
    const positive = candidates.findIndex((c) => c.item_id === e.item_id);
    if (positive < 0) return;
    withPositive++;
    spine.push(e, candidates[positive]!, 1);
    const negatives = candidates.filter((_, i) => i !== positive);
    // A seeded partial shuffle picks the negatives.
    for (let i = 0; i < Math.min(NEGATIVES, negatives.length); i++) {
      const j = i + sampler.int(negatives.length - i);
      [negatives[i], negatives[j]] = [negatives[j]!, negatives[i]!];
      spine.push(e, negatives[i]!, 0);
    }
  };

  const evaluate = (e: SessionEvent, sources: CandidateSources, gbdt: Gbdt): void => {
    const t0 = performance.now();
    const context = requestContext(engine, e);
    const candidates = gatherCandidates(context, sources);
    const features = liveCandidateFeatures(engine, { ...e, userRead: context.userRead, sessionRead: context.sessionRead }, candidates);
    const scores = gbdt.predictProba(features);
    const order = candidates.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
    latencies.push(performance.now() - t0);

    const ranked = order.map((i) => candidates[i]!.item_id);
    const rerankedNightly = order.filter((i) => candidates[i]!.nightly_rank !== null).map((i) => candidates[i]!.item_id);
    const nightlyItems = sources.nightly.forUser(e.user_id).items;
    const nightlyRank = rankOf(nightlyItems.slice(0, K), e.item_id);
    const realtimeRank = rankOf(ranked.slice(0, K), e.item_id);
    accumulators.nightly.add(nightlyRank);
    accumulators.realtime.add(realtimeRank);
    accumulators.nightlyReranked.add(rankOf(rerankedNightly.slice(0, K), e.item_id));
    if (context.sessionEvents === 0) {
      accumulators.startNightly.add(nightlyRank);
      accumulators.startRealtime.add(realtimeRank);
    } else {
      accumulators.inNightly.add(nightlyRank);
      accumulators.inRealtime.add(realtimeRank);
    }
    if (nightlyItems.includes(e.item_id)) recallNightly++;
    if (ranked.includes(e.item_id)) recallRealtime++;
    candidateCount += candidates.length;
  };

  let evalStarted = false;
  for (const e of events) {
    while (e.ts >= nextMidnight) {
      if (nextMidnight === evalFrom) train();
      nightly = runNightly(events, catalog, cooc, nextMidnight);
      nextMidnight += DAY_MS;
    }
    if (e.event_type === 'view' && nightly !== undefined) {
      const sources = { nightly, cooc, categoryOf };
      if (e.ts < evalFrom) {
        if (sampler.next() < config.trainShare) collect(e, sources);
      } else if (sampler.next() < config.evalShare) {
        if (!evalStarted) {
          evalStarted = true;
          say(`evaluating on days ${config.warmDays + config.trainDays}–${config.days - 1}: nightly top ${K} vs real-time re-ranking`);
        }
        evaluate(e, sources, model!);
      }
    }
    engine.apply('interactions', e);
    cooc.observe(e.session_id, e.item_id, e.ts);
  }
  if (model === undefined) train();

  const requests = Math.max(1, accumulators.realtime.result().requests);
  const report: PersonalizationReport = {
    scale,
    seed,
    data: {
      users: config.users,
      items: catalog.items.length,
      categories: catalog.categories.length,
      sessions,
      events: events.length,
      days: config.days,
      warmDays: [0, config.warmDays],
      trainDays: [config.warmDays, config.warmDays + config.trainDays],
      evalDays: [dayOf(data, evalFrom), config.days],
    },
    training: {
      requests: trainRequests,
      requestsWithPositive: withPositive,
      rows: spine.length,
      features: RERANK_FEATURES,
      importance,
    },
    evaluation: {
      k: K,
      overall: {
        nightly: accumulators.nightly.result(),
        realtime: accumulators.realtime.result(),
        nightlyReranked: accumulators.nightlyReranked.result(),
      },
      sessionStart: { nightly: accumulators.startNightly.result(), realtime: accumulators.startRealtime.result() },
      inSession: { nightly: accumulators.inNightly.result(), realtime: accumulators.inRealtime.result() },
      candidateRecall: { nightly: recallNightly / requests, realtime: recallRealtime / requests },
      meanCandidates: candidateCount / requests,
    },
    timing: {
      seconds: (performance.now() - started) / 1000,
      rerankP50Ms: percentile(Float64Array.from(latencies), 0.5),
      rerankP99Ms: percentile(Float64Array.from(latencies), 0.99),
    },
  };
  if (options.dir !== undefined) {
    mkdirSync(options.dir, { recursive: true });
    await writeTable(eventsTable(events), join(options.dir, 'events.parquet'));
    if (trainingTable !== undefined) {
      const columns = new Map(trainingTable.columns);
      await writeTable({ length: trainingTable.length, columns }, join(options.dir, 'training.parquet'));
    }
    writeFileSync(join(options.dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}
