import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface ProcessSample {
  /** CPU time used since the previous sample, as a percentage of one core. */
  readonly cpuPercent: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  /** 99th percentile of event-loop delay since the previous sample, in ms. */
  readonly eventLoopLagP99Ms: number;
}

/** Resource use of this process between two calls to `sample`. */
export class ProcessSampler {
  readonly #delay: IntervalHistogram;
  #cpu = process.cpuUsage();
  #at = performance.now();

  constructor() {
    // 10 ms resolution: finer costs a timer wake-up per resolution step.
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
  }

  sample(): ProcessSample {
    const now = performance.now();
    const cpu = process.cpuUsage(this.#cpu);
    const elapsedMs = Math.max(now - this.#at, 1);
    this.#cpu = process.cpuUsage();
    this.#at = now;
    const memory = process.memoryUsage();
    // The histogram is in nanoseconds and includes the resolution's own timer period.
    const lag = this.#delay.count > 0 ? Math.max(0, this.#delay.percentile(99) / 1e6 - 10) : 0;
    this.#delay.reset();
    return {
      cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      rssMb: memory.rss / 1_048_576,
      heapUsedMb: memory.heapUsed / 1_048_576,
      eventLoopLagP99Ms: lag,
    };
  }

  stop(): void {
    this.#delay.disable();
  }
}
