import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

/** What JetStream said about each record of one append. */
export interface PublishOutcome {
  /** Per record, its stream sequence once acknowledged (a repeat's: the original's). */
  readonly sequences: readonly (number | undefined)[];
  /** Per record that was not acknowledged: why. */
  readonly failures: ReadonlyMap<number, string>;
  /** Records JetStream recognised as repeats by their id (Nats-Msg-Id) and did not store again. */
  readonly duplicates: ReadonlySet<number>;
}

const decoder = new TextDecoder();

interface InFlight {
  readonly sequences: (number | undefined)[];
  readonly failures: Map<number, string>;
  readonly duplicates: Set<number>;
  waiting: number;
  lastProgress: number;
  timer: NodeJS.Timeout | undefined;
  resolve(outcome: PublishOutcome): void;
}

interface PubAck {
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly error?: { readonly description?: string };
}

/**
 * Publishes records back to back on one connection and collects JetStream's acknowledgement
 * (PubAck) of each on a reply subject of its own, without waiting for one before sending the
 * next. One connection delivers in order, so the records of one `publish` call get consecutive
 * sequences unless another connection publishes to the stream at the same moment.
 */
export class Publisher {
  readonly #connection: NatsConnection;
  readonly #subject: string;
  readonly #stallMs: number;
  readonly #inbox = createInbox();
  readonly #subscription: Subscription;
  readonly #inFlight = new Map<number, InFlight>();
  #nextId = 0;

  /** `stallMs`: a publish whose records got no acknowledgement for this long gives up on the rest. */
  constructor(connection: NatsConnection, subject: string, stallMs: number) {
    this.#connection = connection;
    this.#subject = subject;
    this.#stallMs = stallMs;
    this.#subscription = connection.subscribe(`${this.#inbox}.>`, { callback: (_error, msg) => this.#onAck(msg) });
  }

  /** Publish the records; resolves (never rejects) once each is acknowledged, failed or given up on. */
  publish(payloads: readonly Uint8Array[], headersOf: (index: number) => MsgHdrs | undefined): Promise<PublishOutcome> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const flight: InFlight = {
        sequences: new Array<number | undefined>(payloads.length).fill(undefined),
        failures: new Map(),
        duplicates: new Set(),
        waiting: payloads.length,
        lastProgress: Date.now(),
        timer: undefined,
        resolve,
      };
      this.#inFlight.set(id, flight);
      for (const [i, payload] of payloads.entries()) {
        try {
          const headers = headersOf(i);
          this.#connection.publish(this.#subject, payload, headers === undefined ? { reply: `${this.#inbox}.${id}.${i}` } : { reply: `${this.#inbox}.${id}.${i}`, headers });
        } catch (error) {
          // The connection refused to send (closed): this record and the rest were not sent.
          for (let j = i; j < payloads.length; j++) flight.failures.set(j, `not sent: ${(error as Error).message}`);
          flight.waiting -= payloads.length - i;
          break;
        }
      }
      if (flight.waiting === 0) this.#settle(id, flight);
      else this.#watch(id, flight);
    });
  }

  /** Give up on every record still waiting, then stop listening. */
  close(): void {
    for (const [id, flight] of this.#inFlight) this.#giveUp(id, flight, 'the log was closed before it was acknowledged');
    this.#subscription.unsubscribe();
  }

  #onAck(msg: Msg): void {
    const tail = msg.subject.slice(this.#inbox.length + 1);
    const dot = tail.indexOf('.');
    const id = Number(tail.slice(0, dot));
    const index = Number(tail.slice(dot + 1));
    const flight = this.#inFlight.get(id);
    if (flight === undefined || flight.sequences[index] !== undefined || flight.failures.has(index)) return; // given up on already
    flight.lastProgress = Date.now();
    const status = msg.headers?.code ?? 0;
    if (status >= 300) {
      flight.failures.set(index, status === 503 ? 'no JetStream stream listens on the subject (503 no responders)' : `status ${status} ${msg.headers?.description ?? ''}`.trim());
    } else {
      let ack: PubAck;
      try {
        ack = JSON.parse(decoder.decode(msg.data)) as PubAck;
      } catch {
        ack = { error: { description: 'unreadable acknowledgement' } };
      }
      if (ack.error !== undefined || typeof ack.seq !== 'number') flight.failures.set(index, ack.error?.description ?? 'no sequence in the acknowledgement');
      else {
        flight.sequences[index] = ack.seq;
        if (ack.duplicate === true) flight.duplicates.add(index);
      }
    }
    if (--flight.waiting === 0) this.#settle(id, flight);
  }

  /** Re-arms itself while acknowledgements keep coming; gives up after `stallMs` without one. */
  #watch(id: number, flight: InFlight): void {
    const left = flight.lastProgress + this.#stallMs - Date.now();
    flight.timer = setTimeout(() => {
      if (Date.now() - flight.lastProgress >= this.#stallMs) this.#giveUp(id, flight, `not acknowledged within ${this.#stallMs} ms`);
      else this.#watch(id, flight);
    }, Math.max(1, left));
  }

  #giveUp(id: number, flight: InFlight, reason: string): void {
    for (const [i, sequence] of flight.sequences.entries()) {
      if (sequence === undefined && !flight.failures.has(i)) flight.failures.set(i, reason);
    }
    flight.waiting = 0;
    this.#settle(id, flight);
  }

  #settle(id: number, flight: InFlight): void {
    clearTimeout(flight.timer);
    this.#inFlight.delete(id);
    flight.resolve({ sequences: flight.sequences, failures: flight.failures, duplicates: flight.duplicates });
  }
}
