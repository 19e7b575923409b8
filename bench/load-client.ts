/**
 * Runs autocannon in its own process, so the load generator does not share the server's event
 * loop (on two cores the client then runs beside the server, as a real client would), and
 * prints autocannon's result as JSON. Options arrive as JSON on stdin (batched bodies outgrow a
 * command line); `bodies` rotate. The result goes to file descriptor 3 with the process's CPU time,
 * so that nothing else the runtime prints on stdout (`node --trace-gc`, say) gets mixed in, and
 * with latency percentiles of its own, unrounded (autocannon's are whole milliseconds).
 */
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly bodies?: readonly string[];
  readonly connections: number;
  readonly duration: number;
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const options = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadOptions;
const bodies = options.bodies;
// Every 2xx response's latency in ms, unrounded: autocannon's own percentiles come from a
// histogram of whole milliseconds, too coarse for a server that answers in one.
let latencies = new Float64Array(1 << 20);
let answered = 0;
// From here on: the CPU time of the load, not of starting the process.
const started = process.cpuUsage();
const instance = autocannon(
  {
    url: options.url,
    method: options.method ?? 'GET',
    connections: options.connections,
    duration: options.duration,
    headers: { 'content-type': 'application/json' },
    // Every body as its own prepared request, which autocannon cycles through on each
    // connection: a setupRequest hook instead rebuilt (and deep-cloned) the request every time,
    // so the client spent more per POST than per GET and slowed the side it was measuring.
    ...(bodies === undefined || bodies.length === 0 ? {} : { requests: bodies.map((body) => ({ method: 'POST' as const, body })) }),
  },
  (error, result) => {
    if (error) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    const cpu = process.cpuUsage(started);
    const sorted = latencies.subarray(0, answered).sort();
    const at = (p: number): number => sorted[Math.min(answered - 1, Math.floor(p * answered))] ?? Number.NaN;
    const latencyMs = { p50: at(0.5), p99: at(0.99), p999: at(0.999), samples: answered };
    writeFileSync(3, JSON.stringify({ result, cpuMicros: cpu.user + cpu.system, latencyMs }));
  },
);
instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
  if (statusCode < 200 || statusCode >= 300) return;
  if (answered === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[answered++] = responseTime;
});
