import { AckPolicy, DeliverPolicy, createInbox, nanos, type JetStreamManager, type Msg, type NatsConnection } from 'nats';
import type { LogRecord } from '../event-log.js';
import { unavailable, type ConnectionWatch } from './connection-watch.js';

/** Records carry their append time in this header when the log has its own clock. */
export const APPENDED_AT_HEADER = 'Tandem-Appended-At';
/** The most records one pull asks for: larger pulls gain little and hold more in memory. */
const PULL_MAX = 10_000;
/** The server removes a consumer idle this long; the reader makes a new one well before. */
const INACTIVE_MS = 5 * 60_000;
/** A pull that hears nothing (no record, no status) for this long is retried on a new consumer. */
const PULL_STALL_MS = 1_000;

const encoder = new TextEncoder();

export interface ReadWindow {
  /** Records at this offset and after are not acknowledged yet, and not returned. */
  readonly end: number;
  readonly max: number;
  readonly maxBytes: number;
  /** Epoch ms after which the read gives up with TANDEM_LOG_UNAVAILABLE. */
  readonly deadline: number;
}

interface Pull {
  readonly want: number;
  readonly records: LogRecord[];
  lastProgress: number;
  finished: boolean;
  finish(outcome: 'done' | 'stalled'): void;
}

/**
 * Sequential reads through an ephemeral JetStream consumer (no acks, in memory) that stays open
 * while each read starts where the last one ended, and is made anew at a seek. Each read pulls
 * exactly the records it may return, with `no_wait`, so a read at the end answers at once.
 * Measured against pipelined direct gets of single messages, this was about ten times faster.
 */
export class StreamReader {
  readonly #connection: NatsConnection;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #watch: ConnectionWatch;
  #consumer: string | undefined;
  /** The connection's reconnect count when the consumer was made: a restarted server lost it. */
  #consumerEpoch = 0;
  #lastUsed = 0;
  /** The stream sequence the consumer delivers next. */
  #cursor = 1;
  /** The offset the next read is expected to start at: one past the last record returned. */
  #position = -1;
  /** Records pulled but not returned yet: past a read's end or over its byte limit. */
  #buffer: LogRecord[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #reading = 0;

  constructor(connection: NatsConnection, jsm: JetStreamManager, stream: string, watch: ConnectionWatch) {
    this.#connection = connection;
    this.#jsm = jsm;
    this.#stream = stream;
    this.#watch = watch;
  }

  /** Where a read continues without a seek. */
  get position(): number {
    return this.#position;
  }

  get busy(): boolean {
    return this.#reading > 0;
  }

  /** Records from offset `from` (or the first retained after it) within the window, in order. */
  read(from: number, window: ReadWindow): Promise<LogRecord[]> {
    this.#reading++;
    const result = this.#queue.then(() => this.#read(from, window)).catch((error: unknown) => {
      // Records pulled by the failed read are dropped; the next read starts afresh.
      this.#position = -1;
      throw error;
    });
    this.#queue = result.catch(() => undefined).finally(() => this.#reading--);
    return result;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#dropConsumer();
  }

  async #read(from: number, { end, max, maxBytes, deadline }: ReadWindow): Promise<LogRecord[]> {
    if (from !== this.#position) this.#seek(from);
    const records: LogRecord[] = [];
    const kept: LogRecord[] = [];
    let bytes = 0;
    let stop = false;
    const offer = (record: LogRecord): void => {
      // At most maxBytes of payload, but always at least one record.
      if (!stop && record.offset < end && records.length < max && (records.length === 0 || bytes + record.payload.byteLength <= maxBytes)) {
        records.push(record);
        bytes += record.payload.byteLength;
      } else {
        stop = true;
        kept.push(record);
      }
    };
    const buffered = this.#buffer;
    this.#buffer = kept;
    for (const record of buffered) offer(record);
    while (!stop && records.length < max && this.#cursor - 1 < end) {
      const pulled = await this.#pullRecords(Math.min(max - records.length, end - (this.#cursor - 1), PULL_MAX), deadline);
      if (pulled.length === 0) break;
      for (const record of pulled) offer(record);
    }
    if (records.length > 0) this.#position = records.at(-1)!.offset + 1;
    return records;
  }

  #seek(from: number): void {
    this.#buffer = [];
    this.#position = from;
    this.#cursor = from + 1;
    void this.#dropConsumer();
  }

  async #pullRecords(want: number, deadline: number): Promise<LogRecord[]> {
    for (;;) {
      if (!(await this.#watch.whenUp(deadline))) throw unavailable(this.#stream, `reading from offset ${this.#cursor - 1}: not connected in time`);
      const stale = this.#consumer === undefined || this.#consumerEpoch !== this.#watch.reconnects || Date.now() - this.#lastUsed > INACTIVE_MS / 2;
      if (stale) await this.#newConsumer();
      const { records, outcome } = await this.#pullOnce(want, deadline);
      this.#lastUsed = Date.now();
      if (outcome === 'done') return records;
      // Silence: the consumer may be gone (removed, or lost with a restarted server). Start a new
      // one where this one stopped; records already received stand.
      void this.#dropConsumer();
      if (records.length > 0) return records;
      if (Date.now() >= deadline) throw unavailable(this.#stream, `reading from offset ${this.#cursor - 1}: no answer in time`);
    }
  }

  async #newConsumer(): Promise<void> {
    void this.#dropConsumer();
    const epoch = this.#watch.reconnects;
    try {
      const info = await this.#jsm.consumers.add(this.#stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: this.#cursor,
        ack_policy: AckPolicy.None,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: nanos(INACTIVE_MS),
      });
      this.#consumer = info.name;
      this.#consumerEpoch = epoch;
      this.#lastUsed = Date.now();
    } catch (error) {
      throw unavailable(this.#stream, `reading from offset ${this.#cursor - 1}: cannot open a consumer`, error);
    }
  }

  /**
   * One pull request, answered on a subscription of its own, so that nothing of an earlier,
   * abandoned pull can be taken for this one's.
   */
  #pullOnce(want: number, deadline: number): Promise<{ records: LogRecord[]; outcome: 'done' | 'stalled' }> {
    return new Promise((resolve) => {
      const reply = createInbox();
      let timer: NodeJS.Timeout | undefined;
      const pull: Pull = {
        want,
        records: [],
        lastProgress: Date.now(),
        finished: false,
        finish: (outcome) => {
          pull.finished = true;
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve({ records: pull.records, outcome });
        },
      };
      const subscription = this.#connection.subscribe(reply, { callback: (_error, msg) => this.#onMessage(pull, msg) });
      const check = (): void => {
        const now = Date.now();
        if (now - pull.lastProgress >= PULL_STALL_MS || now >= deadline) pull.finish('stalled');
        else timer = setTimeout(check, Math.min(pull.lastProgress + PULL_STALL_MS, deadline) - now);
      };
      timer = setTimeout(check, Math.min(PULL_STALL_MS, Math.max(1, deadline - Date.now())));
      const request = encoder.encode(JSON.stringify({ batch: want, no_wait: true }));
      this.#connection.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.#stream}.${this.#consumer!}`, request, { reply });
    });
  }

  #onMessage(pull: Pull, msg: Msg): void {
    if (pull.finished) return; // late: the unsubscribe is on its way
    pull.lastProgress = Date.now();
    if (!msg.reply?.startsWith('$JS.ACK.')) {
      // A status: 404 nothing there, 408 fewer there than asked for; others mean trouble.
      const code = msg.headers?.code ?? 0;
      pull.finish(code === 404 || code === 408 || pull.records.length > 0 ? 'done' : 'stalled');
      return;
    }
    // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ns>.<pending>, or with
    // domain and account hash after ACK (and a random token at the end) on newer servers.
    const tokens = msg.reply.split('.');
    const at = tokens.length === 9 ? 5 : 7;
    const sequence = Number(tokens[at]);
    const header = msg.headers?.get(APPENDED_AT_HEADER);
    const appendedAt = header ? Number(header) : Number(tokens[at + 2]!.slice(0, -6));
    pull.records.push({ offset: sequence - 1, appendedAt, payload: msg.data });
    this.#cursor = sequence + 1;
    if (pull.records.length === pull.want) pull.finish('done');
  }

  /** Forget the consumer and delete it on the server; if that fails, its inactivity limit removes it. */
  #dropConsumer(): Promise<unknown> {
    const name = this.#consumer;
    this.#consumer = undefined;
    if (name === undefined || !this.#watch.up) return Promise.resolve();
    return this.#jsm.consumers.delete(this.#stream, name).catch(() => undefined);
  }
}
