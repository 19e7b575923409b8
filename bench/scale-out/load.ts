import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadTarget {
  readonly url: string;
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST';
  /** Request bodies, sent in turn. */
  readonly bodies?: readonly string[];
  /** Paths (with query), requested in turn instead of the URL's own. */
  readonly paths?: readonly string[];
}

export interface LoadOptions {
  /** Servers loaded at once; the connections are split evenly between them. */
  readonly targets: readonly LoadTarget[];
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadResult {
  /** 2xx responses. */
  readonly ok: number;
  /** Other responses, errors and timeouts. */
  readonly failed: number;
  readonly seconds: number;
  /** 2xx responses per second. */
  readonly perSecond: number;
  /** Latency percentiles over every response of every target. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU seconds per second the load client itself used. */
  readonly clientCores: number;
  /** Share of the machine's CPU time (all cores, all processes) busy while the load ran; 0 without /proc. */
  readonly machineBusy: number;
}

/**
 * Closed-loop load from a separate process (load-client.ts, started the way this script was),
 * so the load generator does not share an event loop with anything measured.
 */
export function load(options: LoadOptions): Promise<LoadResult> {
  return new Promise((done, fail) => {
    const client = fileURLToPath(new URL('./load-client.ts', import.meta.url));
    // Options on stdin: request bodies can exceed what a command line may hold.
    const child = spawn(process.execPath, [...process.execArgv, client], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify(options));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done(JSON.parse(out) as LoadResult) : fail(new Error(`load client exited with ${code}`))));
  });
}
