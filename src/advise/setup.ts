import { formatDuration } from '../features/duration.js';
import type { Architecture } from './architectures.js';
import { scheduleFor, type CostEstimate } from './cost.js';
import type { Profile } from './profile.js';

/** The concrete Tandem setup for a recommendation: where state lives and what to run. */
export interface Setup {
  readonly deployment: 'embedded' | 'scale-out';
  /** Storage role → backend. */
  readonly backends: Readonly<Record<'event log' | 'online state' | 'registry, jobs, audit' | 'offline data', string>>;
  /** How the model learns. */
  readonly learning: 'scheduled retraining' | 'online learning';
  /** Project-file settings to write. */
  readonly definitions: readonly string[];
  /** Commands to run. */
  readonly commands: readonly string[];
  readonly notes: readonly string[];
}

/** A cron expression that runs every `ms` (at least every minute, at most daily at 02:00 UTC). */
export function cronEvery(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  return '0 2 * * *';
}

const ONLINE_ALGORITHM = { anomaly: 'half-space-trees', regression: 'online-linear-regression' } as const;

export function setupFor(architecture: Architecture, profile: Profile, cost: CostEstimate, options: { readonly online: boolean }): Setup {
  const scaleOut = cost.scaleOut;
  const regulated = profile.audit === 'regulated';
  const backends: Setup['backends'] = {
    'event log': architecture === 'batch' ? 'none: events land as files' : scaleOut ? 'NATS JetStream' : 'embedded log files (<data-dir>/events)',
    'online state': architecture === 'batch' ? 'none: scores are precomputed' : scaleOut ? 'Redis' : 'in memory, snapshotted with its log offset',
    'registry, jobs, audit': scaleOut || regulated ? 'PostgreSQL (TANDEM_REGISTRY_URL=postgres://…)' : 'SQLite (<data-dir>/registry)',
    'offline data': scaleOut ? 'Parquet on shared storage, or PostgreSQL tables' : 'Parquet files',
  };
  const online = options.online || architecture === 'online-learning';
  const algorithm = profile.task === 'anomaly' ? ONLINE_ALGORITHM.anomaly : profile.task === 'regression' ? ONLINE_ALGORITHM.regression : 'ftrl';
  const definitions: string[] = [];
  const commands: string[] = [];
  const notes: string[] = [];

  if (architecture === 'batch') {
    const every = scheduleFor('batch', profile.freshnessMs);
    definitions.push(
      `job('score', { schedule: '${cronEvery(every)}', task: { score: { model, spine: 'population.parquet', out: 'scores.parquet' } } })  // every ${formatDuration(every)}`,
      "model(…, { algorithm: 'gbdt', retrain: { schedule: '0 3 * * 0', gate: { metric, margin } } })  // weekly",
    );
    commands.push(
      'tandem train --model <m> --events history.parquet',
      'tandem jobs list                      # the schedule',
      'tandem serve --port 8080              # runs the jobs on their cron (or: tandem jobs run score, from the system cron)',
      'tandem score --model <m> --spine population.parquet --out scores.parquet   # by hand',
    );
  } else if (architecture === 'micro-batch') {
    const every = scheduleFor('micro-batch', profile.freshnessMs);
    definitions.push("model(…, { algorithm: 'gbdt', retrain: { schedule: '0 3 * * 0', gate: { metric, margin } } })  // weekly");
    commands.push(
      'tandem ingest <file> --source <s>     # or POST /v1/events',
      `tandem stream --once --batch-size 10000   # from cron '${cronEvery(every)}' (every ${formatDuration(every)})`,
      ...(profile.latencyMs < 3_600_000 ? ['tandem serve                          # predictions on the micro-batched state'] : ['tandem score --model <m> --spine population.parquet --out scores.parquet   # after each micro-batch']),
    );
  } else {
    if (online) {
      definitions.push(`model(…, { algorithm: '${algorithm}', online: true })  // learns from ${profile.task === 'anomaly' ? 'every scored event sent back as feedback (half-space trees ignore the label)' : 'POST /v1/feedback labels'}`);
      definitions.push("monitoring: { detectors: ['adwin'], alerts: [{ when: 'concept-drift', action: 'fallback' }] }");
    } else {
      definitions.push(
        "model(…, { algorithm: 'gbdt', retrain: { schedule: '0 3 * * *', gate: { metric, margin } } })  // nightly",
        "monitoring: { alerts: [{ when: 'data-drift', action: 'retrain' }] }",
      );
    }
    if (profile.latencyMs < 100) definitions.push('serving: a latency budget below the p99 need, with a fallback (default score or heuristic)');
    if (architecture === 'lambda') {
      commands.push(
        'tandem backfill --view <v> --events history.parquet --spine events --out training.parquet   # batch layer, nightly',
        'tandem stream --bootstrap history.parquet --source <s> --bootstrap-offset <n> --reseed   # hand the state over to the stream',
      );
    }
    if (architecture === 'kappa' || (architecture === 'online-learning' && scaleOut)) {
      notes.push(`keep the log's retention at least ${formatDuration(profile.dataVolume.retentionMs)}: it is the history; reprocess by replaying it into a new data dir (tandem stream --once)`);
    }
    commands.push(`tandem serve --port 8080                # ingest, stream, predict${online ? ', learn from feedback' : ''}, monitor, jobs`);
    if (online) commands.push(profile.task === 'anomaly' ? 'POST /v1/feedback/<m> with { id, label: 0 }   # for every scored event: the detector keeps adapting' : 'POST /v1/feedback/<m> with { id, label }   # labels as they arrive');
    if (scaleOut) {
      commands.push(
        `run ${cost.machines} replicas of tandem serve --partitions <p> behind a load balancer, with TANDEM_LOG_URL=nats://…, TANDEM_ONLINE_URL=redis://…, TANDEM_REGISTRY_URL=postgres://…`,
        'tandem stream --partitions <p>        # stream workers, as many as needed: they share the partitions',
      );
    }
  }
  if (regulated) {
    definitions.push("source(…, { schema: { <personal fields>: { type: 'string', pii: 'tokenize' } } })");
    commands.push('tandem train --reproduce <m>@<version>   # proves a version rebuilds byte for byte', 'GET /v1/audit?model=<m>                 # which version decided, alias moves, alerts');
    notes.push('keep the event log and training files for the retention period: lineage points at their hashes');
  }
  if (scaleOut && architecture !== 'batch') notes.push('scale-out: partitions, stream workers and replicas are described in docs/scale-out.md');
  return {
    deployment: scaleOut ? 'scale-out' : 'embedded',
    backends,
    learning: online ? 'online learning' : 'scheduled retraining',
    definitions,
    commands,
    notes,
  };
}
