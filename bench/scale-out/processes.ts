import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const live = new Set<ChildProcess>();

/** The environment of a tandem command: this one's, without any TANDEM_* setting, plus `vars`. */
export function tandemEnv(vars: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('TANDEM_')) env[name] = value;
  return { ...env, ...vars };
}

/** A running `tandem` command (the CLI from the sources, as `npm run tandem` runs it). */
export class TandemProcess {
  readonly args: readonly string[];
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  #output = '';

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.args = args;
    this.#child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'development', 'src/cli/bin.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.#child);
    const collect = (chunk: Buffer): void => void (this.#output += chunk.toString());
    this.#child.stdout!.on('data', collect);
    this.#child.stderr!.on('data', collect);
    this.exited = new Promise((done) => {
      this.#child.on('exit', (code) => {
        live.delete(this.#child);
        done(code);
      });
    });
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Everything the command printed so far, stdout and stderr interleaved. */
  get output(): string {
    return this.#output;
  }

  /** Resolves with the first match of `pattern` in the output; rejects when the command exits first or `timeoutMs` passes. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = performance.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = pattern.exec(this.#output);
      if (match !== null) return match;
      if (exited || performance.now() > deadline) throw new Error(`tandem ${this.args.join(' ')}: ${exited ? 'exited' : `no ${pattern} within ${timeoutMs} ms`}; output:\n${this.#output}`);
      await new Promise((done) => setTimeout(done, 25));
    }
  }

  /** SIGTERM (the command's clean shutdown), SIGKILL after `graceMs`; resolves with the output. */
  async stop(graceMs = 30_000): Promise<string> {
    if (this.running) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.#output;
  }
}

/** Run a command to its end; rejects with its output unless it exits with 0 within `timeoutMs`. */
export async function runTandem(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const command = new TandemProcess(args, env);
  const timer = setTimeout(() => void command.stop(1_000), timeoutMs);
  const code = await command.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`tandem ${args.join(' ')} exited with ${code}; output:\n${command.output}`);
  return command.output;
}

/** Start `tandem serve ...` and wait until it listens; resolves with its address. */
export async function startServer(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ server: TandemProcess; url: string }> {
  const server = new TandemProcess(args, env);
  const [, url] = await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 180_000);
  return { server, url: url! };
}

/** Kill every command still running (the benchmark failed or was interrupted). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}
