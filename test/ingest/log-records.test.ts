import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLoggedEvent, decodeLoggedEvents, encodeJson, type LoggedEvent } from '../../src/ingest/log-records.js';

const value = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const logged: fc.Arbitrary<LoggedEvent> = fc.record(
  {
    source: fc.string(),
    event: fc.dictionary(fc.string(), value),
    views: fc.array(fc.string(), { maxLength: 3 }),
  },
  { requiredKeys: ['source', 'event'] },
);

/** Payloads that are not one event written by Tandem, some of them made to fool a joined parse. */
const notAnEvent = fc.constantFrom(
  'not json',
  '',
  '[]',
  'null',
  '{"source":1,"event":{}}',
  '{"source":"a"}',
  '{"source":"a","event":null}',
  '{"source":"a","event":{}},{"source":"b","event":{}}', // two events in one record
  '{"source":"a","event":{}}],[{"source":"b","event":{}}', // closes the joined array early
  '\uFEFF{"source":"a","event":{}}', // a byte-order mark a parse of the record alone would skip
);

const records = (events: readonly LoggedEvent[], from = 0) => events.map((event, i) => ({ payload: encodeJson(event), offset: from + i }));

describe('decodeLoggedEvents', () => {
  it('decodes a batch as the records decoded one by one', () => {
    fc.assert(
      fc.property(fc.array(logged, { maxLength: 40 }), fc.nat(1_000_000), (events, from) => {
        const batch = records(events, from);
        expect(decodeLoggedEvents(batch)).toEqual(batch.map((r) => decodeLoggedEvent(r.payload, r.offset)));
      }),
      { numRuns: 200 },
    );
  });

  it('names the first record that is not an event, wherever it is in the batch', () => {
    fc.assert(
      fc.property(fc.array(logged, { minLength: 1, maxLength: 20 }), fc.nat(), notAnEvent, (events, at, bad) => {
        const batch = records(events, 100);
        const i = at % (batch.length + 1);
        const payload = new TextEncoder().encode(bad);
        batch.splice(i, 0, { payload, offset: 100 + i });
        for (let k = i + 1; k < batch.length; k++) batch[k] = { ...batch[k]!, offset: 100 + k };
        // A record with a byte-order mark is still an event when read alone.
        if (bad.startsWith('\uFEFF')) {
          expect(decodeLoggedEvents(batch)).toEqual(batch.map((r) => decodeLoggedEvent(r.payload, r.offset)));
          return;
        }
        expect(() => decodeLoggedEvents(batch)).toThrow(expect.objectContaining({ code: 'TANDEM_LOG_CORRUPT', message: `event log record ${100 + i} is not an event written by Tandem` }));
      }),
      { numRuns: 300 },
    );
  });
});
