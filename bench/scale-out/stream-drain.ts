import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { RedisPartitionStore } from '../../src/online/index.js';
import { machineCpu, pidsNamed, processCpu } from './cpu.js';
import { TandemProcess } from './processes.js';
import { SERVERS, type Deployment } from './resources.js';

export interface DrainResult {
  /** Log records across the partitions (an event is in the log of each partition one of its entities falls in). */
  readonly records: number;
  /** From the moment every worker had announced itself to the moment every checkpoint reached its log's end. */
  readonly seconds: number;
  /**
   * Records applied per second over `seconds`. Records committed before the last worker joined
   * are left out, so neither the first worker's head start nor the others' startup counts.
   */
  readonly recordsPerSecond: number;
  /** From starting the processes (startup, loading the project) to the same end. */
  readonly secondsFromStart: number;
  /** Events each worker reported applying, as its summary line says. */
  readonly appliedByWorker: readonly number[];
  /** Lines the workers printed about leases lost, which would mean work done twice. */
  readonly leaseLosses: number;
  /** CPU seconds used over `seconds` (Linux; 0 elsewhere), by the workers together, Redis, NATS and the whole machine. */
  readonly cpu: CpuUse;
}

export interface CpuUse {
  readonly workers: number;
  readonly redis: number;
  readonly nats: number;
  readonly machine: number;
}

/** The offset after each partition's last record: its stream's last sequence (offsets are sequences − 1). */
async function logEnds(nats: NatsConnection, deployment: Deployment, partitions: number): Promise<number[]> {
  const jsm = await nats.jetstreamManager();
  const ends: number[] = [];
  for (let p = 0; p < partitions; p++) ends.push((await jsm.streams.info(`${deployment.streamPrefix}EVENTS_P${p}`)).state.last_seq);
  return ends;
}

/**
 * Start `workers` × `tandem stream --partitions N` together on logs already filled, and time
 * how long the partitions' checkpoints in Redis take to reach the logs' ends (polled every
 * 50 ms). The workers run as they would in production (not `--once`), then stop cleanly.
 */
export async function drain(options: {
  readonly nats: NatsConnection;
  readonly deployment: Deployment;
  readonly partitions: number;
  readonly workers: number;
  readonly args: (worker: number) => readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}): Promise<DrainResult> {
  const { deployment, partitions } = options;
  const ends = await logEnds(options.nats, deployment, partitions);
  const store = await RedisPartitionStore.open({ url: SERVERS.redis, namespace: deployment.namespace, partitions });
  const started = performance.now();
  const workers = Array.from({ length: options.workers }, (_, i) => new TandemProcess(options.args(i), options.env));
  const [redis, nats] = [pidsNamed('redis-server'), pidsNamed('nats-server')];
  const cpu = (): CpuUse => {
    const sum = (pids: readonly number[]): number => pids.reduce((n, pid) => n + processCpu(pid), 0);
    return { workers: sum(workers.map((w) => w.pid)), redis: sum(redis), nats: sum(nats), machine: machineCpu() };
  };
  let cpuAtJoin = cpu();
  try {
    let joined: number | undefined;
    let committedAtJoin = 0;
    let finished: number | undefined;
    while (finished === undefined) {
      const now = performance.now();
      const problem = workers.some((w) => !w.running) ? 'a worker exited' : now - started > options.timeoutMs ? `no end within ${options.timeoutMs} ms` : undefined;
      if (problem !== undefined) throw new Error(`the workers did not reach the logs' ends: ${problem}; output:\n${workers.map((w) => w.output).join('\n')}`);
      const [live, checkpoints] = await Promise.all([store.workers(), Promise.all(ends.map((_, p) => store.checkpoint(p)))]).catch(() => [[], []] as const);
      const committed = checkpoints.reduce((n, c) => n + (c?.offset ?? 0), 0);
      if (joined === undefined && live.length >= options.workers) [joined, committedAtJoin, cpuAtJoin] = [now, committed, cpu()];
      if (checkpoints.length === partitions && checkpoints.every((c, p) => (c?.offset ?? 0) >= ends[p]!)) finished = performance.now();
      else await sleep(50);
    }
    const cpuAtEnd = cpu();
    const outputs = await Promise.all(workers.map((w) => w.stop()));
    const records = ends.reduce((a, b) => a + b, 0);
    const seconds = (finished - (joined ?? started)) / 1000;
    return {
      records,
      seconds,
      recordsPerSecond: (records - committedAtJoin) / seconds,
      secondsFromStart: (finished - started) / 1000,
      appliedByWorker: outputs.map((out) => Number(/applied ([\d,]+) events/.exec(out)?.[1]?.replaceAll(',', '') ?? Number.NaN)),
      leaseLosses: outputs.reduce((n, out) => n + (out.match(/lost the lease/g)?.length ?? 0), 0),
      cpu: {
        workers: cpuAtEnd.workers - cpuAtJoin.workers,
        redis: cpuAtEnd.redis - cpuAtJoin.redis,
        nats: cpuAtEnd.nats - cpuAtJoin.nats,
        machine: cpuAtEnd.machine - cpuAtJoin.machine,
      },
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await store.close();
  }
}
