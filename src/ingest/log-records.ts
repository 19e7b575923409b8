import { TandemError } from '../errors.js';
import type { ValidatedEvent } from './validate-event.js';

/** How an accepted event is stored in the event log: its source and its normalised fields, as JSON. */
export interface LoggedEvent {
  readonly source: string;
  readonly event: ValidatedEvent;
  /**
   * In a partition's log (see PartitionRouter): the views this partition applies the event
   * to, when not all of its source's views.
   */
  readonly views?: readonly string[];
}

/** How a rejected event is kept in the dead-letter log: why, and what arrived (personal data protected). */
export interface DeadLetter {
  readonly source: string;
  readonly code: string;
  readonly reason: string;
  readonly receivedAt: number;
  readonly payload: unknown;
  /**
   * 'stream' when the engine rejected an event the log had accepted (the payload then holds
   * its log `offset`); absent for events rejected at ingestion.
   */
  readonly stage?: 'stream';
}

const decoder = new TextDecoder();

/**
 * The record's UTF-8 bytes. `Buffer.from` takes small ones from Node's shared pool instead of
 * giving each its own ArrayBuffer as `TextEncoder.encode` does: about 0.7–1.0 µs an event
 * instead of 1.7–2.4 µs on top of the JSON, and no external memory per event for the collector.
 */
export function encodeJson(value: LoggedEvent | DeadLetter): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeLoggedEvent(payload: Uint8Array, offset: number): LoggedEvent {
  try {
    const value = JSON.parse(decoder.decode(payload)) as unknown;
    if (isLoggedEvent(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw new TandemError('TANDEM_LOG_CORRUPT', `event log record ${offset} is not an event written by Tandem`);
}

function isLoggedEvent(value: unknown): value is LoggedEvent {
  const v = value as LoggedEvent | null;
  return typeof v?.source === 'string' && typeof v.event === 'object' && v.event !== null;
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * A micro-batch's events: one `JSON.parse` over the records joined into an array, which costs
 * less per event than a parse per record (2.27–2.81 against 2.83–3.18 µs for the fraud example's
 * events). Any record that is not one event written by Tandem makes the batch fall back to
 * `decodeLoggedEvent` record by record, so the error names that record's offset.
 */
export function decodeLoggedEvents(records: readonly { readonly payload: Uint8Array; readonly offset: number }[]): LoggedEvent[] {
  if (records.length > 1) {
    const parts: Uint8Array[] = [OPEN];
    for (let i = 0; i < records.length; i++) parts.push(records[i]!.payload, i + 1 < records.length ? COMMA : CLOSE);
    try {
      const values = JSON.parse(decoder.decode(Buffer.concat(parts))) as unknown;
      if (Array.isArray(values) && values.length === records.length && values.every(isLoggedEvent)) return values;
    } catch {
      // one record at a time below, to name the one that is not an event
    }
  }
  return records.map((record) => decodeLoggedEvent(record.payload, record.offset));
}

export function decodeDeadLetter(payload: Uint8Array): DeadLetter {
  return JSON.parse(decoder.decode(payload)) as DeadLetter;
}
