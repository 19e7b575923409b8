import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { TandemError } from '../errors.js';
import { inferRequests, inferResponse, modelMetadata } from '../serving/inference-v2.js';
import type { OnlineRuntime } from './online-runtime.js';
import { predictorOf } from './predict-routes.js';

type ModelRequest = FastifyRequest<{ Params: { model: string; version?: string } }>;

/** The served model named by the path; a `/versions/<v>` path must name the champion's version. */
function served(runtime: OnlineRuntime, request: ModelRequest): { predictor: NonNullable<OnlineRuntime['predictor']>; model: string; version: number } {
  const { model, version } = request.params;
  const predictor = predictorOf(runtime, model);
  const champion = predictor.describe(model).version;
  if (version !== undefined && version !== String(champion)) {
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `model '${model}' serves version ${champion}, not '${version}' (versions are served by moving the champion alias)`);
  }
  return { predictor, model, version: champion };
}

/**
 * The Open Inference Protocol (KServe V2) REST endpoints on the same predictor. Errors
 * follow the protocol: `{ "error": "<message>" }` with a 4xx status (5xx only for a model
 * without a fallback that failed).
 */
export function inferenceV2Routes(runtime: OnlineRuntime, isReady: () => boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error instanceof TandemError) return reply.status(error.status).send({ error: error.message });
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: `the body is larger than the limit of ${app.initialConfig.bodyLimit} bytes` });
      if (error.statusCode !== undefined && error.statusCode < 500) return reply.status(error.statusCode).send({ error: error.message });
      app.log.error(error);
      return reply.status(500).send({ error: 'the server failed to handle the request; the error is logged' });
    });

    app.get('/v2', async () => ({ name: 'tandem', version: '2', extensions: [] }));
    app.get('/v2/health/live', async () => ({ live: true }));
    app.get('/v2/health/ready', async (_request, reply) => (isReady() ? { ready: true } : reply.status(503).send({ ready: false })));

    for (const base of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
      app.get(base, async (request: ModelRequest) => {
        const { predictor, model } = served(runtime, request);
        return modelMetadata(predictor, model);
      });

      app.get(`${base}/ready`, async (request: ModelRequest, reply) => {
        const { model } = served(runtime, request);
        return isReady() ? { name: model, ready: true } : reply.status(503).send({ name: model, ready: false });
      });

      app.post(`${base}/infer`, async (request: ModelRequest) => {
        const { predictor, model, version } = served(runtime, request);
        const { id, requests, outputs } = inferRequests(request.body);
        requests.forEach((item, i) => predictor.check(model, item, { where: `row ${i}: ` }));
        const predictions = await Promise.all(requests.map((item, i) => predictor.predict(model, item, { where: `row ${i}: ` })));
        return inferResponse(model, version, id ?? randomUUID(), predictions, outputs);
      });
    }
  };
}
