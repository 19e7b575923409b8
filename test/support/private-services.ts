import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A server of the test's own on a free port of 127.0.0.1, which it may kill -9 and start again
 * on the same port (and the same data folder) without touching the machine's shared services.
 */
export class PrivateServer {
  readonly port: number;
  readonly dir = mkdtempSync(join(tmpdir(), 'tandem-service-'));
  readonly #command: string;
  readonly #args: (port: number, dir: string) => string[];
  #child: ChildProcess | undefined;

  private constructor(port: number, command: string, args: (port: number, dir: string) => string[]) {
    this.port = port;
    this.#command = command;
    this.#args = args;
  }

  /** NATS with JetStream, its store in the server's folder (kept across restarts). */
  static async nats(): Promise<PrivateServer> {
    return new PrivateServer(await freePort(), 'nats-server', (port, dir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir]).start();
  }

  /** Redis keeping nothing on disk, as the machine's own: a restart comes back empty. */
  static async redis(): Promise<PrivateServer> {
    return new PrivateServer(await freePort(), 'redis-server', (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]).start();
  }

  get url(): string {
    return `${this.#command === 'nats-server' ? 'nats' : 'redis'}://127.0.0.1:${this.port}`;
  }

  /** Start it (again) and wait until it accepts connections. */
  async start(): Promise<this> {
    await this.kill();
    const child = spawn(this.#command, this.#args(this.port, this.dir), { stdio: 'ignore' });
    this.#child = child;
    for (let tries = 0; tries < 500; tries++) {
      if (child.exitCode !== null) throw new Error(`${this.#command} exited with ${child.exitCode}`);
      if (await accepts(this.port)) return this;
      await sleep(10);
    }
    throw new Error(`${this.#command} did not accept connections on ${this.port}`);
  }

  /** SIGSTOP freezes it (connections stay open, nothing is answered); SIGCONT lets it go on. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.#child?.kill(signal);
  }

  /** kill -9, and wait until it is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    this.signal('SIGCONT');
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
