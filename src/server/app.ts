import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { TandemError } from '../errors.js';
import type { EntityKey } from '../engine/keys.js';
import { MAX_TIME, checkRequest, requestTime, requestTimeOf } from '../serving/check-request.js';
import { PROMETHEUS_CONTENT_TYPE } from '../serving/prometheus.js';
import { scopeOf, type ApiKeyStore } from './api-keys.js';
import { inferenceV2Routes } from './inference-v2-routes.js';
import type { OnlineRuntime } from './online-runtime.js';
import { predictRoutes } from './predict-routes.js';
import { SendBatch } from './send-batch.js';
import { monitoringRoutes } from './monitoring-routes.js';
import { openApiDocument } from './openapi.js';
import { dashboardRoutes } from '../dashboard/index.js';

export interface AppOptions {
  /** Largest request body accepted. @default 10 MiB */
  readonly bodyLimit?: number;
  /** Ingest requests in progress at once before new ones get 503 with Retry-After. @default 32 */
  readonly maxInFlight?: number;
  /** Log requests (pino). @default false */
  readonly logger?: boolean;
  /**
   * API keys: when the store holds any, every endpoint but health and readiness needs
   * `Authorization: Bearer <key>` with the endpoint's scope. @default none (open)
   */
  readonly apiKeys?: ApiKeyStore;
}

interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * The HTTP surface of the online runtime: event ingestion, feature reads, predictions and
 * feedback (also over the Open Inference Protocol v2), readiness and Prometheus metrics. Bad
 * requests get a 4xx that names the problem; nothing a client sends can crash the server.
 */
export function buildApp(runtime: OnlineRuntime, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024, logger: options.logger ?? false });
  const maxInFlight = options.maxInFlight ?? 32;
  let inFlight = 0;

  // NDJSON bodies: one event per line; a line that is not JSON is rejected with its number.
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson'], { parseAs: 'string' }, (_request, body, done) => {
    const events: unknown[] = [];
    const lines = String(body).split('\n');
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      try {
        events.push(JSON.parse(line));
      } catch {
        events.push(new MalformedLine(i + 1, line));
      }
    }
    done(null, events);
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof TandemError) return reply.status(error.status).send(errorBody(error.code, error.message));
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(errorBody('TANDEM_BODY_TOO_LARGE', `the body is larger than the limit of ${app.initialConfig.bodyLimit} bytes; send fewer events per request`));
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('TANDEM_BAD_REQUEST', error.message));
    }
    app.log.error(error);
    return reply.status(500).send(errorBody('TANDEM_INTERNAL', 'the server failed to handle the request; the error is logged'));
  });

  // Request counts, latency and in-flight by route, for /metrics.
  const metrics = runtime.metrics;
  let closing = false;
  // Hooks on every request use fastify's callback form: an async hook costs a promise per
  // request per hook, which halved the requests/s of /v1/predict (bench/README.md).
  app.addHook('onRequest', (_request, _reply, done) => {
    metrics.httpStarted();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpFinished(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  const apiKeys = options.apiKeys;
  if (apiKeys !== undefined) {
    app.addHook('onRequest', (request, reply, done) => {
      const url = request.routeOptions.url ?? request.url.split('?')[0] ?? request.url;
      const scope = scopeOf(request.method, url);
      if (scope === undefined || !apiKeys.enabled) {
        done();
        return;
      }
      const header = request.headers.authorization;
      const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : request.headers['x-api-key'];
      // Answering from the hook: send, and do not call done.
      if (typeof key !== 'string' || key === '') {
        reply
          .status(401)
          .header('www-authenticate', 'Bearer')
          .send(errorBody('TANDEM_UNAUTHORIZED', `${request.method} ${url} needs an API key with scope '${scope}': send Authorization: Bearer <key>`));
        return;
      }
      const found = apiKeys.verify(key);
      if (found === undefined) {
        reply.status(401).header('www-authenticate', 'Bearer').send(errorBody('TANDEM_UNAUTHORIZED', 'the API key is not known (revoked, or mistyped)'));
        return;
      }
      // 'admin' includes every other scope.
      if (!found.scopes.includes(scope) && !found.scopes.includes('admin')) {
        reply
          .status(403)
          .send(errorBody('TANDEM_FORBIDDEN', `API key '${found.name}' has scope ${found.scopes.map((s) => `'${s}'`).join(', ')}; ${request.method} ${url} needs '${scope}'`));
        return;
      }
      done();
    });
  }
  app.addHook('preClose', async () => {
    closing = true;
  });
  // While closing, responses to requests still in flight end their connection, so a keep-alive
  // client does not hold the shutdown open until its idle timeout. Responses are written
  // together at the end of each event-loop turn (see SendBatch).
  const sends = new SendBatch();
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    sends.hold(done, payload);
  });
  const isReady = (): boolean => !closing;

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Ready: not shutting down, with the versions being served.
  app.get('/readyz', async (_request, reply) => {
    const predictor = runtime.predictor;
    const models = Object.fromEntries((predictor?.models ?? []).map((name) => [name, predictor!.describe(name).version]));
    const unserved = [...runtime.project.models.keys()].filter((name) => !(name in models));
    const body = { status: isReady() ? 'ready' : 'closing', models, unserved, eventsApplied: runtime.features.eventsApplied() };
    return isReady() ? body : reply.status(503).send(body);
  });

  app.get('/metrics', async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(metrics.render()));

  // The API of this project's server, each source, view and served model with its own body
  // schema; built per request, so a model's entry follows its champion across hot reloads.
  // Open like the health endpoints: it describes the API, and holds no data.
  app.get('/openapi.json', async () => {
    const predictor = runtime.predictor;
    const models = new Map((predictor?.models ?? []).map((name) => [name, predictor!.describe(name).plan] as const));
    return openApiDocument({ project: runtime.project, models });
  });

  app.register(predictRoutes(runtime));
  app.register(inferenceV2Routes(runtime, isReady));
  app.register(monitoringRoutes(runtime));
  if (runtime.monitor !== undefined) {
    const monitor = runtime.monitor;
    app.register(dashboardRoutes({ snapshot: () => monitor.snapshot() }));
  }

  app.post('/v1/events/:source', async (request: FastifyRequest<{ Params: { source: string } }>, reply: FastifyReply) => {
    if (inFlight >= maxInFlight) {
      return reply.status(503).header('Retry-After', '1').send(errorBody('TANDEM_OVERLOADED', `${inFlight} ingest requests are in progress; retry shortly`));
    }
    const body = request.body;
    const events = Array.isArray(body) ? body : body === undefined || body === null ? [] : [body];
    inFlight++;
    try {
      const malformed = events.filter((e): e is MalformedLine => e instanceof MalformedLine);
      const parsed = events.filter((e) => !(e instanceof MalformedLine));
      const result = await runtime.ingest(
        request.params.source,
        parsed,
        malformed.map((m) => ({ reason: `line ${m.line} is not valid JSON`, payload: m.text })),
      );
      return {
        accepted: result.accepted,
        rejected: result.rejected,
        duplicates: result.duplicates,
        offsets: result.last >= result.first ? { first: result.first, last: result.last } : null,
        reasons: result.reasons,
      };
    } finally {
      inFlight--;
    }
  });

  app.get('/v1/features/:view', async (request: FastifyRequest<{ Params: { view: string }; Querystring: Record<string, string | string[]> }>) => {
    const view = runtime.project.views.get(request.params.view);
    if (view === undefined) {
      throw new TandemError('TANDEM_UNKNOWN_VIEW', `unknown feature view '${request.params.view}' (known: ${[...runtime.project.views.keys()].join(', ')})`);
    }
    const query = request.query;
    const list = (name: string): string[] => {
      const value = query[name];
      return value === undefined ? [] : Array.isArray(value) ? value : [value];
    };
    // One-field entities: ?key=a&key=b. Composite entities: each key field by name, ?origin=JFK&destination=LAX (repeat for several).
    const keys: EntityKey[] =
      view.entity.keys.length === 1
        ? (list('key').length > 0 ? list('key') : list(view.entity.keys[0]!))
        : zipKeys(view.entity.keys, view.entity.keys.map(list));
    if (keys.length === 0) {
      throw new TandemError('TANDEM_INVALID_KEY', `give the entity key: ${view.entity.keys.length === 1 ? `?key=<${view.entity.keys[0]}>` : view.entity.keys.map((k) => `${k}=…`).join('&')}`);
    }
    const atText = list('at')[0];
    const at = atText === undefined ? Date.now() : Number.isFinite(Number(atText)) ? Number(atText) : requestTimeOf(atText);
    // Beyond ±8.64e15 ms a Date is invalid (and messages that print the time would throw).
    if (!(Math.abs(at) <= MAX_TIME)) throw new TandemError('TANDEM_USAGE', `at=${atText} is not a time (epoch ms or ISO 8601)`);
    const engine = runtime.features.engine;
    await runtime.features.prepare?.(
      [view],
      keys.map((key) => (typeof key === 'object' && key !== null && !Array.isArray(key) ? (key as Readonly<Record<string, unknown>>) : { [view.entity.keys[0]!]: key })),
    );
    return {
      view: view.name,
      at,
      results: keys.map((key) => {
        const { values, lastEventAt, freshnessMs } = engine.readEntity(view.name, key, { at });
        return { key, values, lastEventAt, freshnessMs };
      }),
    };
  });

  // Request-time features: the body carries the request fields and the input views' keys.
  app.post('/v1/features/:name', async (request: FastifyRequest<{ Params: { name: string } }>) => {
    const set = runtime.project.requestFeatures.get(request.params.name);
    if (set === undefined) {
      const known = [...runtime.project.requestFeatures.keys()].join(', ') || 'none';
      throw new TandemError('TANDEM_UNKNOWN_VIEW', `unknown request features '${request.params.name}' (known: ${known}); feature views are read with GET`);
    }
    const body = request.body;
    // Checked as a prediction's request is: every key and request field present and typed, or a 400 naming it.
    const shape = { keyFields: [...new Set(set.views.flatMap((view) => view.entity.keys))], requestFields: set.requestFields };
    const rows = Array.isArray(body) ? body.map((item, i) => checkRequest(shape, item, `[${i}] `)) : [checkRequest(shape, body)];
    const engine = runtime.features.engine;
    await runtime.features.prepare?.(set.views, rows);
    return { name: set.name, results: rows.map((fields) => ({ values: engine.requestFeatures(set.name, fields, { at: requestTime(fields) }) })) };
  });

  return app;
}

function zipKeys(fields: readonly string[], values: readonly string[][]): EntityKey[] {
  const n = values[0]?.length ?? 0;
  if (values.some((v) => v.length !== n)) {
    throw new TandemError('TANDEM_INVALID_KEY', `give each key field (${fields.join(', ')}) the same number of times`);
  }
  return Array.from({ length: n }, (_, i) => Object.fromEntries(fields.map((f, j) => [f, values[j]![i]!])));
}

/** A line of an NDJSON body that is not JSON: it becomes a dead letter with its line number. */
class MalformedLine {
  constructor(
    readonly line: number,
    readonly text: string,
  ) {}
}

