import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TandemError } from '../errors.js';
import type { Prediction } from '../serving/types.js';
import type { OnlineRuntime } from './online-runtime.js';

type ModelRequest = FastifyRequest<{ Params: { model: string } }>;

/** The serving predictor, or a 404 naming why there is none. */
export function predictorOf(runtime: OnlineRuntime, model: string): NonNullable<OnlineRuntime['predictor']> {
  if (runtime.predictor === undefined) {
    throw new TandemError('TANDEM_UNKNOWN_MODEL', `unknown model '${model}': the project defines no models`);
  }
  return runtime.predictor;
}

/**
 * `POST /v1/predict/:model` (one request object, or an array predicted together) and
 * `POST /v1/feedback/:model` (`{ id, label, ts? }`, or an array).
 */
export function predictRoutes(runtime: OnlineRuntime) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/v1/predict/:model', async (request: ModelRequest): Promise<Prediction | Prediction[]> => {
      const model = request.params.model;
      const predictor = predictorOf(runtime, model);
      const body = request.body;
      if (!Array.isArray(body)) return predictor.predict(model, body);
      // Validate every item first, so a bad item fails the batch before any is served.
      body.forEach((item, i) => predictor.check(model, item, { where: `[${i}] ` }));
      return Promise.all(body.map((item, i) => predictor.predict(model, item, { where: `[${i}] ` })));
    });

    app.post('/v1/feedback/:model', async (request: ModelRequest) => {
      const model = request.params.model;
      predictorOf(runtime, model);
      const body = request.body;
      if (!Array.isArray(body)) return runtime.feedback(model, body);
      return body.map((item, i) => runtime.feedback(model, item, `[${i}] `));
    });
  };
}
