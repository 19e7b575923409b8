/** The architectures `tandem advise` chooses among, and what each means in Tandem. */
export const ARCHITECTURES = ['batch', 'micro-batch', 'real-time', 'lambda', 'kappa', 'online-learning'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const ARCHITECTURE_SUMMARIES: Readonly<Record<Architecture, string>> = {
  batch: 'scheduled jobs: backfill features, train and score a population (cron), results to files or a table',
  'micro-batch': 'the log applied to the online state in batches every minute or more (cron), models retrained on a schedule',
  'real-time': 'streaming features in an online store, read in microseconds by a served model trained in batch and retrained on a schedule',
  lambda: 'a batch layer recomputing history by backfill, seeding the online state, plus the stream for what happened since',
  kappa: 'one streaming path for everything: recompute by replaying the durable log through the same engine',
  'online-learning': 'streaming features and models that learn from every label (or every event, for anomaly detection)',
};
