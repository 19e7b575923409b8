/**
 * Per-vCPU throughputs the cost model divides load by. The defaults are figures measured with
 * this project's benchmarks (bench/README.md, 2026-11-28, a 2-vCPU machine; stream apply and
 * backfill 2026-11-30); `tandem advise --measure` replaces the engine's own figures with a few
 * seconds of measurement here.
 */
export interface Throughput {
  /** Events/s per vCPU through `POST /v1/events`: validated, durable in the log, applied. */
  readonly ingestPerVcpu: number;
  /** Events/s of the stream's apply on one core (`StreamEngine.applyBatch`, as `tandem stream` applies its micro-batches). */
  readonly streamApplyPerVcpu: number;
  /** In-process predictions/s on one core: online feature reads + model score. */
  readonly readScorePerVcpu: number;
  /** Requests/s per vCPU through `POST /v1/predict`. */
  readonly predictPerVcpu: number;
  /** Rows/s of point-in-time backfill on one thread. */
  readonly backfillRowsPerVcpu: number;
  /** Rows/s of batch scoring (features by backfill + a 200-tree GBDT) on one thread. */
  readonly scoreRowsPerVcpu: number;
  /** Rows/s of GBDT training per vCPU (100 rounds, depth 6, 12 features). */
  readonly trainRowsPerVcpu: number;
  /** Online model updates/s on one core (FTRL `learnOne`, 20 features). */
  readonly learnPerVcpu: number;
}

export type ThroughputName = keyof Throughput;

/** Where each default comes from: the benchmark, its command and the figure. */
export const THROUGHPUT_SOURCES: Readonly<Record<ThroughputName, string>> = {
  ingestPerVcpu: 'bench:serve — HTTP ingest 84,940 events/s on 2 vCPU (durable, applied), ÷ 2',
  streamApplyPerVcpu: 'npm run bench — stream apply, batched, 1,236,185 events/s on one thread (the lowest of three runs)',
  readScorePerVcpu: 'bench:predict — in-process predict p50 12.5 µs (two view reads, request features, 200-tree GBDT, rules)',
  predictPerVcpu: 'bench:predict — POST /v1/predict 8,479 req/s on 2 vCPU, ÷ 2',
  backfillRowsPerVcpu: 'npm run bench — backfill 3,127,357 events/s on one thread (the lowest of three runs)',
  scoreRowsPerVcpu: 'backfill 3.13 M rows/s and the 200-tree GBDT scoring a dataset at ≈ 3 µs a row (bench:scoring, depth 6, many rows at once, the slowest run): 1 / (1/3.13 M + 3 µs)',
  trainRowsPerVcpu: 'bench:models — GBDT fit of 1,000,000 rows in 12.96 CPU-seconds',
  learnPerVcpu: 'bench:models — FTRL learnOne 1.56 M updates/s, 20 features',
};

/** A 200-tree GBDT of depth 6 scoring a dataset, per row (bench:scoring, 2026-11-30: 2.51–2.96 µs). */
const GBDT_ROW_SECONDS = 3e-6;

export const DEFAULT_THROUGHPUT: Throughput = {
  ingestPerVcpu: 42_470,
  streamApplyPerVcpu: 1_236_185,
  readScorePerVcpu: 80_000,
  predictPerVcpu: 4_240,
  backfillRowsPerVcpu: 3_127_357,
  scoreRowsPerVcpu: Math.round(1 / (1 / 3_127_357 + GBDT_ROW_SECONDS)),
  trainRowsPerVcpu: Math.round(1_000_000 / 12.96),
  learnPerVcpu: 1_560_000,
};

/**
 * The HTTP paths cost the engine's work plus a fixed overhead per request (parsing, the log's
 * append, the response). The overhead is what the benchmark's HTTP figure leaves after the
 * engine's part; a measured engine rate is combined with the same overhead.
 */
export function withMeasuredEngine(base: Throughput, measured: Partial<Pick<Throughput, 'streamApplyPerVcpu' | 'readScorePerVcpu' | 'learnPerVcpu' | 'backfillRowsPerVcpu'>>): Throughput {
  const ingestOverhead = 1 / DEFAULT_THROUGHPUT.ingestPerVcpu - 1 / DEFAULT_THROUGHPUT.streamApplyPerVcpu;
  const predictOverhead = 1 / DEFAULT_THROUGHPUT.predictPerVcpu - 1 / DEFAULT_THROUGHPUT.readScorePerVcpu;
  const apply = measured.streamApplyPerVcpu ?? base.streamApplyPerVcpu;
  const readScore = measured.readScorePerVcpu ?? base.readScorePerVcpu;
  const backfill = measured.backfillRowsPerVcpu ?? base.backfillRowsPerVcpu;
  return {
    ...base,
    streamApplyPerVcpu: apply,
    readScorePerVcpu: readScore,
    learnPerVcpu: measured.learnPerVcpu ?? base.learnPerVcpu,
    backfillRowsPerVcpu: backfill,
    scoreRowsPerVcpu: Math.round(1 / (1 / backfill + GBDT_ROW_SECONDS)),
    ingestPerVcpu: Math.round(1 / (ingestOverhead + 1 / apply)),
    predictPerVcpu: Math.round(1 / (predictOverhead + 1 / readScore)),
  };
}
