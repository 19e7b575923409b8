/**
 * The scale-out benchmark's load, in a process of its own: one autocannon instance per target
 * (the connections split evenly between them), all running at once for the same duration.
 * Every response's latency is kept, so the percentiles are exact over all targets together
 * rather than an average of per-target percentiles. Options arrive as JSON (`LoadOptions`) on
 * stdin; the result is printed as one JSON `LoadResult`.
 */
import autocannon from 'autocannon';
import { availableParallelism } from 'node:os';
import { machineCpu } from './cpu.js';
import type { LoadOptions, LoadResult } from './load.js';

let input = '';
for await (const chunk of process.stdin) input += String(chunk);
const options = JSON.parse(input) as LoadOptions;
const latencies: number[] = [];
let ok = 0;
let failed = 0;

function drive(index: number): Promise<autocannon.Result> {
  const target = options.targets[index]!;
  const share = Math.floor(options.connections / options.targets.length) + (index < options.connections % options.targets.length ? 1 : 0);
  const { bodies, paths } = target;
  let next = index * 7_919;
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method ?? 'GET',
        connections: share,
        duration: options.seconds,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => {
              const i = next++;
              return {
                ...request,
                ...(bodies === undefined ? {} : { body: bodies[i % bodies.length] }),
                ...(paths === undefined ? {} : { path: paths[i % paths.length] }),
              };
            },
          },
        ],
      },
      (error, result) => (error ? fail(error) : done(result)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) ok++;
      else failed++;
      latencies.push(ms);
    });
    instance.on('reqError', () => failed++);
  });
}

const [cpuBefore, ownBefore, started] = [machineCpu(), process.cpuUsage(), performance.now()];
const results = await Promise.all(options.targets.map((_, i) => drive(i)));
const wall = (performance.now() - started) / 1000;
const machineBusy = (machineCpu() - cpuBefore) / (wall * availableParallelism());
const own = process.cpuUsage(ownBefore);
const clientCores = (own.user + own.system) / 1e6 / wall;
const seconds = Math.max(...results.map((r) => r.duration));
const sorted = Float64Array.from(latencies).sort();
const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
const result: LoadResult = { ok, failed, seconds, perSecond: ok / seconds, p50Ms: at(0.5), p99Ms: at(0.99), clientCores, machineBusy };
process.stdout.write(JSON.stringify(result));
