import type { RankingMetrics } from './ranking-metrics.js';
import type { PersonalizationReport } from './run.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const num = (x: number): string => x.toFixed(3);

function line(label: string, m: RankingMetrics): string {
  return `  ${label.padEnd(34)} ${pct(m.hitRate).padStart(7)}  ${num(m.mrr).padStart(6)}  ${num(m.ndcg).padStart(6)}  ${String(m.requests).padStart(7)}`;
}

/** The report as a readable summary for a terminal. */
export function formatPersonalizationReport(report: PersonalizationReport): string {
  const { data, training, evaluation: ev, timing } = report;
  const k = ev.k;
  const lift = ev.overall.realtime.hitRate - ev.overall.nightly.hitRate;
  return [
    `Personalization blueprint (scale ${report.scale}, seed ${report.seed})`,
    `  data: ${data.events} events of ${data.users} users in ${data.sessions} sessions; ${data.items} items in ${data.categories} categories; ${data.days} days`,
    `  days ${data.warmDays[0]}–${data.warmDays[1] - 1} history only, ${data.trainDays[0]}–${data.trainDays[1] - 1} training requests, ${data.evalDays[0]}–${data.evalDays[1] - 1} held out`,
    `  re-ranker: GBDT on ${training.rows} rows from ${training.requestsWithPositive} of ${training.requests} training requests (point-in-time features by backfill)`,
    `  strongest features: ${training.importance.slice(0, 5).map((f) => f.feature).join(', ')}`,
    '',
    `Next item in the held-out days (k = ${k})     hit@${k}     MRR   NDCG  requests`,
    line('nightly only (batch top 10)', ev.overall.nightly),
    line('real-time re-ranking', ev.overall.realtime),
    line('  of which nightly candidates only', ev.overall.nightlyReranked),
    line('session start: nightly only', ev.sessionStart.nightly),
    line('session start: real-time', ev.sessionStart.realtime),
    line('in session: nightly only', ev.inSession.nightly),
    line('in session: real-time', ev.inSession.realtime),
    '',
    `  hit@${k}: real-time ${lift >= 0 ? '+' : '−'}${(100 * Math.abs(lift)).toFixed(1)} points over nightly only`,
    `  next item among the candidates: nightly list ${pct(ev.candidateRecall.nightly)}, real-time set ${pct(ev.candidateRecall.realtime)} (${ev.meanCandidates.toFixed(0)} candidates a request)`,
    `  re-ranking a request (features read live + model): p50 ${timing.rerankP50Ms.toFixed(2)} ms, p99 ${timing.rerankP99Ms.toFixed(2)} ms; whole run ${timing.seconds.toFixed(1)} s`,
  ].join('\n');
}
