import { readFileSync } from 'node:fs';
import { modelSources } from '../features/model-features.js';
import type { ModelDefinition } from '../features/model.js';
import type { Project } from '../features/project.js';
import type { FieldType } from '../features/schema.js';
import type { Source } from '../features/source.js';
import { decodeLoggedEvent } from '../ingest/log-records.js';
import { readTable } from '../io/read-table.js';
import type { Table } from '../io/table.js';
import { tableFromRows } from '../io/table-from-rows.js';
import { tableToRows } from '../io/table-to-rows.js';
import { sha256 } from '../models/artifact.js';
import type { EventLog } from '../log/event-log.js';
import type { Lineage } from '../registry/registry.js';

export interface RetrainEvents {
  readonly events: Record<string, Table>;
  /** The files read, with their SHA-256, for the new version's lineage. */
  readonly inputs: Lineage['inputs'];
  /** Events by origin, and log events labelled from feedback, for reports. */
  readonly counts: { readonly files: number; readonly log: number; readonly labelledByFeedback: number };
}

/**
 * What a retraining learns from: the files the champion was trained on (its lineage, those
 * still readable) and the events of the model's sources in the event log that are newer than
 * the newest event of those files. History that was both in a training file and ingested
 * into the log (to warm the online state) is so counted once.
 */
export interface RetrainEventsOptions {
  readonly files: Lineage['inputs'];
  readonly log?: EventLog;
  /**
   * Labels that arrived later through feedback, by prediction id. A logged event of the
   * model's training source whose label is missing takes the label of the prediction whose id
   * is the event's idempotency key (predict with `id: <the event's key>` to connect them).
   */
  readonly feedback?: ReadonlyMap<string, number>;
  /**
   * The personal-data protection ingestion applies (tokenize, redact, drop). File rows go
   * through it too, so a tokenized field means the same in file and log rows.
   */
  readonly protect?: (source: Source, row: Record<string, unknown>) => Record<string, unknown>;
}

export async function retrainEvents(project: Project, definition: ModelDefinition, options: RetrainEventsOptions): Promise<RetrainEvents> {
  const sources = modelSources(project, definition);
  const rows = new Map<Source, Record<string, unknown>[]>(sources.map((s) => [s, []]));
  const inputs: { source: string; path: string; sha256: string }[] = [];
  let fromFiles = 0;
  const newest = new Map<Source, number>();
  for (const input of options.files) {
    const source = sources.find((s) => s.name === input.source);
    if (source === undefined) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(input.path);
    } catch {
      continue; // a file that is gone: retrain on what remains
    }
    const table = await readTable(input.path, { types: types(source) });
    const protect = options.protect;
    const fileRows = protect === undefined ? tableToRows(table) : tableToRows(table).map((row) => protect(source, row));
    rows.get(source)!.push(...fileRows);
    const times = table.columns.get(source.timestamp);
    if (times !== undefined && (times.type === 'timestamp' || times.type === 'number')) {
      let max = newest.get(source) ?? -Infinity;
      for (const t of times.values) if (t > max) max = t;
      newest.set(source, max);
    }
    fromFiles += fileRows.length;
    inputs.push({ source: source.name, path: input.path, sha256: sha256(bytes) });
  }
  let fromLog = 0;
  let labelled = 0;
  const log = options.log;
  const spine = sources[0]!;
  const labelField = spine.fields.get(definition.label);
  const idField = spine.idempotencyKey;
  const feedback = idField === undefined || labelField === undefined ? undefined : options.feedback;
  if (log !== undefined) {
    const byName = new Map(sources.map((s) => [s.name, s]));
    let offset = log.firstOffset;
    while (offset < log.nextOffset) {
      const records = await log.read(offset, { max: 50_000 });
      if (records.length === 0) break;
      for (const record of records) {
        const logged = decodeLoggedEvent(record.payload, record.offset);
        const source = byName.get(logged.source);
        if (source === undefined) continue;
        const time = logged.event[source.timestamp];
        if (typeof time === 'number' && time <= (newest.get(source) ?? -Infinity)) continue;
        let event = logged.event;
        if (feedback !== undefined && source === spine && (event[definition.label] ?? null) === null) {
          const label = feedback.get(String(event[idField!]));
          if (label !== undefined) {
            event = { ...event, [definition.label]: labelField!.type === 'boolean' ? label === 1 : label };
            labelled++;
          }
        }
        rows.get(source)!.push(event);
        fromLog++;
      }
      offset = records[records.length - 1]!.offset + 1;
    }
  }
  const events: Record<string, Table> = {};
  for (const [source, list] of rows) events[source.name] = tableFromRows(list, types(source));
  return { events, inputs, counts: { files: fromFiles, log: fromLog, labelledByFeedback: labelled } };
}

function types(source: Source): Record<string, FieldType> {
  return Object.fromEntries([...source.fields.values()].map((f) => [f.name, f.type]));
}
