/**
 * One error class for the whole product. Every error carries a stable `code` (listed in
 * `ERROR_CODES` with its HTTP status and meaning, mirrored in docs/errors.md) and, when it
 * wraps another failure, the original as `cause`.
 */
export const ERROR_CODES = {
  TANDEM_INVALID_DEFINITION: { status: 400, meaning: 'A source, entity, feature view or project definition is invalid.' },
  TANDEM_INVALID_DURATION: { status: 400, meaning: 'A window or lateness is not a valid duration such as 30s, 15m, 24h or 7d.' },
  TANDEM_CONFIG_LOAD: { status: 400, meaning: 'The project file could not be loaded or does not export a project.' },
  TANDEM_UNKNOWN_VIEW: { status: 404, meaning: 'A feature view named in a request or command does not exist.' },
  TANDEM_UNKNOWN_SOURCE: { status: 404, meaning: 'A source named in a request or command does not exist.' },
  TANDEM_FEATURE_NAME_CLASH: { status: 400, meaning: 'Two selected feature views define a feature with the same name.' },
  TANDEM_INVALID_EVENT: { status: 400, meaning: 'An event does not match its source schema.' },
  TANDEM_LATE_EVENT: { status: 409, meaning: 'An event arrived later than the allowed lateness behind the watermark.' },
  TANDEM_INVALID_KEY: { status: 400, meaning: 'An entity key is missing or malformed.' },
  TANDEM_READ_TOO_OLD: { status: 400, meaning: 'A read asked for a time older than the online state retains.' },
  TANDEM_FEATURE_VALUE: { status: 422, meaning: 'A feature function returned a value its aggregation cannot use.' },
  TANDEM_FILE_FORMAT: { status: 400, meaning: 'A data file has an unknown format or cannot be parsed.' },
  TANDEM_FILE_COLUMN: { status: 400, meaning: 'A data file lacks a required column or has one of the wrong type.' },
  TANDEM_USAGE: { status: 400, meaning: 'A command was called with missing or conflicting options.' },
  TANDEM_LOG_CORRUPT: { status: 500, meaning: 'The event log holds a damaged record that recovery cannot safely cut off.' },
  TANDEM_LOG_LOCKED: { status: 409, meaning: 'Another running process has the event log open.' },
  TANDEM_LOG_CLOSED: { status: 503, meaning: 'The event log was used after it was closed.' },
  TANDEM_LOG_UNAVAILABLE: { status: 503, meaning: "The event log's server (NATS JetStream) cannot be reached or did not acknowledge in time; nothing unacknowledged counts as accepted." },
  TANDEM_BAD_REQUEST: { status: 400, meaning: 'An HTTP request is malformed (for example, its JSON does not parse).' },
  TANDEM_BODY_TOO_LARGE: { status: 413, meaning: 'An HTTP request body is larger than the server accepts.' },
  TANDEM_OVERLOADED: { status: 503, meaning: 'The server is at its limit of requests in progress; retry after the Retry-After delay.' },
  TANDEM_INVALID_DATASET: { status: 400, meaning: 'A training or scoring dataset has inconsistent columns, rows or labels.' },
  TANDEM_INVALID_PARAMETER: { status: 400, meaning: 'A model or algorithm parameter is missing, of the wrong type or out of range.' },
  TANDEM_INVALID_ARTIFACT: { status: 400, meaning: 'A model artifact cannot be read: unknown kind, wrong format version or damaged state.' },
  TANDEM_NOT_FITTED: { status: 409, meaning: 'A model was asked to predict or serialize before it was fitted.' },
  TANDEM_UNKNOWN_FEATURE: { status: 404, meaning: 'A model names a feature that no feature view or request-time feature defines.' },
  TANDEM_UNKNOWN_MODEL: { status: 404, meaning: 'A model, model version or alias named in a request or command does not exist.' },
  TANDEM_REGISTRY: { status: 500, meaning: 'The model registry could not store or read a model version.' },
  TANDEM_NOT_REPRODUCIBLE: { status: 409, meaning: 'Rebuilding a model version did not give the byte-identical artifact, or its inputs changed.' },
  TANDEM_UNAUTHORIZED: { status: 401, meaning: 'A request needs an API key (Authorization: Bearer <key>) and gave none or an unknown one.' },
  TANDEM_FORBIDDEN: { status: 403, meaning: 'The API key of the request lacks the scope the endpoint needs (predict, ingest or admin).' },
  TANDEM_UNKNOWN_JOB: { status: 404, meaning: 'A job named in a request or command is not defined by the project.' },
  TANDEM_JOBS: { status: 500, meaning: 'The job tables (schedule and run history) could not be read or written.' },
  TANDEM_STATE_UNAVAILABLE: { status: 503, meaning: 'The online state store (Redis) cannot be reached; predictions fall back and stream workers retry.' },
  TANDEM_LEASE_LOST: { status: 409, meaning: "A stream worker lost a partition's lease, or the partition's stored checkpoint is not the one it continues from; it stops writing that partition and reloads it." },
  TANDEM_INTERNAL: { status: 500, meaning: 'The server failed unexpectedly; the error is logged.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface TandemErrorOptions {
  readonly cause?: unknown;
  /** Extra machine-readable context (the view, the feature, the offending value). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class TandemError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: TandemErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TandemError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details ?? {};
  }
}

/** Quote a value for an error message: strings in single quotes, the rest as JSON. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
