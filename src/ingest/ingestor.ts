import { TandemError } from '../errors.js';
import type { Project } from '../features/project.js';
import type { Source } from '../features/source.js';
import type { AppendResult, EventLog } from '../log/event-log.js';
import { logId, type PartitionRouter } from '../streaming/partitioned/partition-router.js';
import { decodeLoggedEvent, encodeJson } from './log-records.js';
import type { PiiProtector } from './pii.js';
import { validateEvent, type ValidatedEvent } from './validate-event.js';

/** Partitions have offsets of their own: there is no one range to report. */
const NO_OFFSETS = { first: 0, last: -1 } as const;

export interface IngestResult {
  readonly accepted: number;
  readonly rejected: number;
  /** Re-sent events (an idempotency key already in the log, or repeated in the batch): acknowledged, not stored again. */
  readonly duplicates: number;
  /** Offsets the accepted events got in the event log (`first > last` when none, or when the log is partitioned). */
  readonly first: number;
  readonly last: number;
  /** Rejections counted by reason, most frequent first. */
  readonly reasons: readonly { readonly reason: string; readonly count: number }[];
}

/** Input that could not even be parsed as an event (a line of bad JSON): kept with its reason. */
export interface Malformed {
  readonly reason: string;
  readonly payload: unknown;
}

/** Events validated and protected, and the rejected ones as dead-letter records. */
export interface Admitted {
  readonly source: string;
  readonly accepted: readonly ValidatedEvent[];
  readonly rejected: readonly Uint8Array[];
  readonly reasons: IngestResult['reasons'];
}

/** A log split into partitions (scale-out): accepted events go to their entities' partitions. */
export interface PartitionedLogs {
  readonly router: PartitionRouter;
  readonly logs: readonly EventLog[];
}

export interface IngestorOptions {
  readonly log: EventLog | PartitionedLogs;
  readonly deadLetters: EventLog;
  readonly pii: PiiProtector;
  readonly now?: () => number;
}

/**
 * The door of the system: validates events against their source, protects personal data,
 * appends the accepted ones to the event log and the rest, with their reason, to the
 * dead-letter log. `ingest` resolves once both are durable: an event is then acknowledged
 * (or rejected) and nothing is lost either way.
 */
export class Ingestor {
  readonly #project: Project;
  readonly #options: IngestorOptions;
  readonly #seen = new Map<string, Promise<Set<string>>>();

  constructor(project: Project, options: IngestorOptions) {
    this.#project = project;
    this.#options = options;
    for (const source of project.sources.values()) options.pii.check(source);
  }

  async ingest(sourceName: string, events: readonly unknown[], malformed: readonly Malformed[] = []): Promise<IngestResult> {
    const admitted = this.admit(sourceName, events, malformed);
    const { log, deadLetters } = this.#options;
    const source = this.#source(sourceName);
    if ('router' in log) return this.#ingestPartitioned(log, source, admitted);
    let fresh = admitted.accepted;
    const claimed: string[] = [];
    if (source.idempotencyKey !== undefined) {
      const seen = await this.#seenKeys(source, log);
      fresh = admitted.accepted.filter((event) => {
        const key = String(event[source.idempotencyKey!]);
        if (seen.has(key)) return false;
        seen.add(key);
        claimed.push(key);
        return true;
      });
    }
    let appended: AppendResult;
    try {
      [appended] = await Promise.all([
        log.append(
          fresh.map((event) => encodeJson({ source: admitted.source, event })),
          source.idempotencyKey === undefined ? {} : { ids: fresh.map((event) => logId(source.name, event[source.idempotencyKey!])) },
        ),
        deadLetters.append(admitted.rejected),
      ]);
    } catch (error) {
      // Not stored: a retry must not be taken for a duplicate.
      const seen = this.#seen.get(source.name);
      if (seen !== undefined) for (const key of claimed) (await seen).delete(key);
      throw error;
    }
    return {
      accepted: fresh.length,
      rejected: admitted.rejected.length,
      duplicates: admitted.accepted.length - fresh.length,
      first: appended.first,
      last: appended.last,
      reasons: admitted.reasons,
    };
  }

  /**
   * Ingestion into partition logs, which several replicas append to: re-sent events are
   * recognised by the logs themselves, by their idempotency key as log id (JetStream, within
   * its duplicate window), not by reading every partition's log back into memory. Repeats
   * within one batch are dropped here. There is no one range of offsets to report.
   */
  async #ingestPartitioned(log: PartitionedLogs, source: Source, admitted: Admitted): Promise<IngestResult> {
    const key = source.idempotencyKey;
    let fresh = admitted.accepted;
    if (key !== undefined) {
      const inBatch = new Set<string>();
      fresh = fresh.filter((event) => {
        const id = String(event[key]);
        if (inBatch.has(id)) return false;
        inBatch.add(id);
        return true;
      });
    }
    const [routed] = await Promise.all([log.router.append(log.logs, admitted.source, fresh, key), this.#options.deadLetters.append(admitted.rejected)]);
    return {
      accepted: fresh.length - routed.duplicates,
      rejected: admitted.rejected.length,
      duplicates: admitted.accepted.length - fresh.length + routed.duplicates,
      ...NO_OFFSETS,
      reasons: admitted.reasons,
    };
  }

  /**
   * The idempotency keys of a source already in the log, read once from the log itself (so
   * they survive restarts, and are forgotten with the records retention removes).
   */
  #seenKeys(source: Source, log: EventLog): Promise<Set<string>> {
    let seen = this.#seen.get(source.name);
    if (seen === undefined) {
      seen = (async () => {
        const keys = new Set<string>();
        for (let from = log.firstOffset; from < log.nextOffset; ) {
          const records = await log.read(from, { max: 50_000 });
          if (records.length === 0) break;
          for (const record of records) {
            const { source: name, event } = decodeLoggedEvent(record.payload, record.offset);
            if (name === source.name) keys.add(String(event[source.idempotencyKey!]));
          }
          from = records.at(-1)!.offset + 1;
        }
        return keys;
      })();
      this.#seen.set(source.name, seen);
    }
    return seen;
  }

  /**
   * Validate and protect events without writing them to the log: what `ingest` appends, and
   * what a bootstrap from history applies directly. Rejections are returned as dead letters.
   */
  admit(sourceName: string, events: readonly unknown[], malformed: readonly Malformed[] = []): Admitted {
    const source = this.#source(sourceName);
    const { pii } = this.#options;
    const now = (this.#options.now ?? Date.now)();
    const accepted: ValidatedEvent[] = [];
    const rejected: Uint8Array[] = [];
    const reasons = new Map<string, number>();
    for (const raw of events) {
      const validation = validateEvent(source, raw);
      if (validation.ok) {
        accepted.push(pii.protect(source, validation.event) as ValidatedEvent);
        continue;
      }
      reasons.set(validation.reason, (reasons.get(validation.reason) ?? 0) + 1);
      const payload = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? pii.protect(source, raw as Record<string, unknown>) : raw;
      rejected.push(encodeJson({ source: source.name, code: 'TANDEM_INVALID_EVENT', reason: validation.reason, receivedAt: now, payload }));
    }
    for (const m of malformed) {
      reasons.set(m.reason, (reasons.get(m.reason) ?? 0) + 1);
      rejected.push(encodeJson({ source: source.name, code: 'TANDEM_INVALID_EVENT', reason: m.reason, receivedAt: now, payload: m.payload }));
    }
    return {
      source: source.name,
      accepted,
      rejected,
      reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    };
  }

  #source(name: string): Source {
    const source = this.#project.sources.get(name);
    if (source === undefined) {
      throw new TandemError('TANDEM_UNKNOWN_SOURCE', `unknown source '${name}' (known: ${[...this.#project.sources.keys()].join(', ')})`);
    }
    return source;
  }
}
