export { Ingestor, type Admitted, type IngestResult, type IngestorOptions, type Malformed } from './ingestor.js';
export { PiiProtector, REDACTED } from './pii.js';
export { validateEvent, type Validation, type ValidatedEvent } from './validate-event.js';
export { decodeDeadLetter, decodeLoggedEvent, type DeadLetter, type LoggedEvent } from './log-records.js';
