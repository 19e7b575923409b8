import { Events, type NatsConnection, type Status } from 'nats';
import { TandemError } from '../../errors.js';

/**
 * Follows a connection's status events: whether it is up, how many times it came back (a
 * restarted server has forgotten the log's ephemeral consumers), and waits for it to return.
 * The client reconnects forever; the log only bounds how long each call waits.
 */
export class ConnectionWatch {
  readonly #status: AsyncIterable<Status> & { stop(): void };
  readonly #waiters = new Set<() => void>();
  #up = true;
  #reconnects = 0;

  constructor(connection: NatsConnection) {
    this.#status = connection.status() as AsyncIterable<Status> & { stop(): void };
    void this.#follow();
  }

  get up(): boolean {
    return this.#up;
  }

  /** How many times the connection came back after a loss. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Resolves true at once when connected, else when the connection returns; false at the deadline, if one is given. */
  whenUp(deadline?: number): Promise<boolean> {
    if (this.#up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = deadline === undefined ? undefined : setTimeout(() => {
        this.#waiters.delete(wake);
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.add(wake);
    });
  }

  stop(): void {
    this.#status.stop();
  }

  async #follow(): Promise<void> {
    for await (const status of this.#status) {
      if (status.type === Events.Disconnect) this.#up = false;
      if (status.type === Events.Reconnect) {
        this.#up = true;
        this.#reconnects++;
        const waiters = [...this.#waiters];
        this.#waiters.clear();
        for (const wake of waiters) wake();
      }
    }
  }
}

/** The error for a call the server did not complete: names the stream, what failed and why. */
export function unavailable(stream: string, what: string, cause?: unknown, details?: Readonly<Record<string, unknown>>): TandemError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new TandemError('TANDEM_LOG_UNAVAILABLE', `event log '${stream}' (NATS JetStream): ${what}${reason}`, {
    ...(cause === undefined ? {} : { cause }),
    ...(details === undefined ? {} : { details }),
  });
}
