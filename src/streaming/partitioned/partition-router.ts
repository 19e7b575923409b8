import type { Entity } from '../../features/entity.js';
import type { Project } from '../../features/project.js';
import { TandemError } from '../../errors.js';
import { keyOfRecord } from '../../engine/keys.js';
import { encodeJson } from '../../ingest/log-records.js';
import type { ValidatedEvent } from '../../ingest/validate-event.js';
import type { AppendResult, EventLog } from '../../log/event-log.js';
import { partitionOf } from '../../online/partition-of.js';

export interface RoutedAppend {
  /** Events every partition log recognised by their id as stored before (re-sent events). */
  readonly duplicates: number;
}

/** The id an event with an idempotency key is appended with, so the log can recognise a re-sent one. */
export function logId(source: string, key: unknown): string {
  return `${source}:${String(key)}`;
}

/** One source's views, grouped by entity: all views of one entity share an event's partition. */
interface SourceRoute {
  readonly entities: readonly { readonly entity: Entity; readonly views: readonly string[] }[];
  readonly allViews: number;
}

/**
 * Where an accepted event goes when the online state is split into partitions: for each
 * entity its source's views are keyed by, the partition of the event's key of that entity.
 * An event whose views all fall in one partition is logged there once, as in the embedded
 * log; one that feeds several partitions is logged in each, naming the views that partition
 * applies it to. An event without a key goes to partition 0 with every view, where stream
 * processing rejects it to the dead letters with the reason.
 */
export class PartitionRouter {
  readonly partitions: number;
  readonly #sources = new Map<string, SourceRoute>();

  constructor(project: Project, partitions: number) {
    this.partitions = partitions;
    for (const source of project.sources.values()) {
      const byEntity = new Map<Entity, string[]>();
      let allViews = 0;
      for (const view of project.views.values()) {
        if (view.source !== source) continue;
        allViews++;
        const views = byEntity.get(view.entity) ?? [];
        views.push(view.name);
        byEntity.set(view.entity, views);
      }
      this.#sources.set(source.name, { entities: [...byEntity].map(([entity, views]) => ({ entity, views })), allViews });
    }
  }

  /** The partitions an event of `source` is logged in, each with the views it applies there (undefined: all). */
  route(source: string, event: Readonly<Record<string, unknown>>): Map<number, string[] | undefined> {
    const route = this.#sources.get(source);
    if (route === undefined) throw new TandemError('TANDEM_UNKNOWN_SOURCE', `unknown source '${source}'`);
    const out = new Map<number, string[]>();
    for (const { entity, views } of route.entities) {
      let key: string;
      try {
        key = keyOfRecord(entity, event);
      } catch (error) {
        if (error instanceof TandemError) return new Map([[0, undefined]]);
        throw error;
      }
      const partition = partitionOf(entity.name, key, this.partitions);
      const found = out.get(partition);
      if (found === undefined) out.set(partition, [...views]);
      else found.push(...views);
    }
    const routed = new Map<number, string[] | undefined>();
    for (const [partition, views] of out) routed.set(partition, views.length === route.allViews ? undefined : views);
    return routed;
  }

  /**
   * Append accepted events of `source` to the partitions' logs (one per partition), each log
   * in one append; resolves once every log acknowledged its part. If one log fails, the
   * others' parts may be stored: the error says so, and a retry is harmless for events with
   * an idempotency key.
   */
  async append(logs: readonly EventLog[], source: string, events: readonly ValidatedEvent[], idempotencyKey?: string): Promise<RoutedAppend> {
    if (logs.length !== this.partitions) throw new TandemError('TANDEM_USAGE', `${logs.length} partition logs for ${this.partitions} partitions`);
    const parts = new Map<number, { records: Uint8Array[]; ids: string[]; events: number[] }>();
    for (const [e, event] of events.entries()) {
      for (const [partition, views] of this.route(source, event)) {
        let part = parts.get(partition);
        if (part === undefined) parts.set(partition, (part = { records: [], ids: [], events: [] }));
        part.records.push(encodeJson(views === undefined ? { source, event } : { source, event, views }));
        part.events.push(e);
        if (idempotencyKey !== undefined) part.ids.push(logId(source, event[idempotencyKey]));
      }
    }
    const entries = [...parts];
    const settled = await Promise.allSettled(entries.map(([partition, { records, ids }]) => logs[partition]!.append(records, idempotencyKey === undefined ? {} : { ids })));
    const failed = settled.flatMap((result, i) => (result.status === 'rejected' ? [[entries[i]![0], result.reason] as const] : []));
    if (failed.length > 0) {
      const [partition, reason] = failed[0]!;
      const stored = settled.length - failed.length;
      throw new TandemError(
        reason instanceof TandemError ? reason.code : 'TANDEM_LOG_UNAVAILABLE',
        `the log of partition ${partition} did not store its events (${reason instanceof Error ? reason.message : String(reason)})` +
          (stored > 0 ? `; ${stored} other partition(s) did: events with idempotency keys can be re-sent (within the log's duplicate window) without counting them twice` : ''),
        { cause: reason },
      );
    }
    // An event is a repeat when the log recognised every one of its records by its id.
    const records = new Int32Array(events.length);
    const repeated = new Int32Array(events.length);
    entries.forEach(([, part], i) => {
      for (const e of part.events) records[e]!++;
      for (const r of (settled[i] as PromiseFulfilledResult<AppendResult>).value.repeats ?? []) repeated[part.events[r]!]!++;
    });
    let duplicates = 0;
    for (let e = 0; e < events.length; e++) if (records[e]! > 0 && repeated[e] === records[e]) duplicates++;
    return { duplicates };
  }
}
